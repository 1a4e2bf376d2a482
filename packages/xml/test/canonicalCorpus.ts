import { ENVELOPE_NS } from '@organism/xml';

/**
 * Payload elements as a client or a handler might write them (not canonical): namespaces, prefixes,
 * attributes, escapes, nesting, unicode, CDATA, comments, processing instructions.
 */
export const PAYLOADS: readonly (readonly [label: string, xml: string])[] = [
  ['plain', '<greeting><name>World</name></greeting>'],
  ['five fields', '<order><id>A-1</id><qty>2</qty><price>9.5</price><rush>true</rush><mode>sea</mode></order>'],
  ['empty element', '<ping/>'],
  ['empty children', '<p><a/><b></b><c> </c></p>'],
  ['attributes, unsorted and single-quoted', `<order z="1" a='2' m="x &amp; y"><line n="1" b="&lt;&gt;"/></order>`],
  ['attribute escapes', '<t a="q&quot;&apos;&lt;&gt;&amp; tab&#9;lf&#10;cr&#13;">x</t>'],
  ['escaped text', "<t>a &amp; b &lt; c &gt; d \"q\" 'a' ]]&gt; &#13;&#10; tab\t end</t>"],
  ['character references', '<t>&#65;&#x42;&#x1F600;&#xE9;</t>'],
  ['unicode', '<übung name="é"><x>😀 漢字 ñ</x><y>\u00a0\u2028</y></übung>'],
  ['CDATA', '<t><a><![CDATA[<raw> & "stuff" ]] >]]></a></t>'],
  ['comments and processing instructions', '<t><!-- c --><?pi data?><a>x<!--y-->z<?q?></a></t>'],
  ['whitespace between elements', '<t>\n  <a>1</a>\n\t<b>2</b>\n</t>'],
  ['deep nesting', '<a><b><c><d><e><f>deep</f></e></d></c></b></a>'],
  ['unused namespace declaration', '<t xmlns:unused="urn:unused"><a/></t>'],
  ['namespaced root', '<calc xmlns="urn:calc"><a>1</a><b xmlns="">2</b></calc>'],
  ['namespaced descendants', '<t><a xmlns="urn:a"><b/><c xmlns=""><d/></c></a><e/></t>'],
  ['prefixed root, unprefixed children', '<p:calc xmlns:p="urn:p"><p:a>1</p:a><b>2</b></p:calc>'],
  ['prefixed root, deep unprefixed', '<p:t xmlns:p="urn:p"><p:a><b><c/></b></p:a><d>x</d><p:e><f xmlns="urn:f"><g/></f></p:e></p:t>'],
  ['prefixed root declaring a default', '<p:t xmlns:p="urn:p" xmlns="urn:d"><a/><p:b><c/></p:b></p:t>'],
  ['prefixed attributes', '<t xmlns:q="urn:q" q:b="1" a="2"><q:x q:y="3" y="4"/></t>'],
  ['xml:lang', '<t xml:lang="en"><a xml:space="preserve"> x </a></t>'],
  ['prefix rebound inside', '<p:t xmlns:p="urn:1"><p:a xmlns:p="urn:2"><p:b/></p:a></p:t>'],
  ['envelope namespace as default', `<x xmlns="${ENVELOPE_NS}"><y/><z xmlns=""/></x>`],
  ['envelope namespace as prefix', `<e:x xmlns:e="${ENVELOPE_NS}"><e:y/><z/></e:x>`],
  ['element named like the envelope', '<message><meta><from>x</from><thread>y</thread></meta><p/></message>'],
  ['greater-than in attribute', '<t a="1 > 0" b="/>"><u c=">"/></t>'],
  ['mixed content', '<t>a<b>b</b>c<d/>e</t>'],
  ['prefixed root, markup-like comment and CDATA', '<p:t xmlns:p="urn:p" a="1>2"><!-- <x> --><![CDATA[<y>]]><?pi <w>?><z/>t<p:u><v a=\'"\'/></p:u></p:t>'],
];

/** Meta blocks for buildEnvelope, including text C14N escapes and whitespace it keeps. */
export const METAS: readonly { from: string; to?: string; thread: string }[] = [
  { from: 'user', to: 'greeter', thread: '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b' },
  { from: 'greeter', thread: 't' },
  { from: 'a&b', to: '<script>', thread: 'x]]>y' },
  { from: ' spaced\tout \n', to: 'cr\r\nlf', thread: 'ü😀' },
  { from: 'bad\u0001char\uFFFE', thread: 'lone\uD800' },
];
