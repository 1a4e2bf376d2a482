import { describe, expect, it } from '@jest/globals';
import { OrganismError, parseXml } from '@organism/xml';
import { XmlDocument } from 'libxml2-wasm';
import { z } from 'zod';
import { compileContract, definePayload } from '@organism/schema';
import { readPayload, thrown } from './readPayload.js';
import { Order } from './orderPayload.js';

const order = compileContract(Order, 'An order');

function deserializeError(xml: string): OrganismError {
  const error = thrown(() => readPayload(order, xml));
  expect(error).toBeInstanceOf(OrganismError);
  expect((error as OrganismError).code).toBe('ORG_ERR_PAYLOAD_DESERIALIZE');
  return error as OrganismError;
}

describe('Contract.fromXml', () => {
  it('coerces text by field type, collects repeated elements, leaves absent optionals undefined and applies defaults', () => {
    const value = readPayload(
      order,
      `<order><id> A-1 </id><qty> 2 </qty><price>-0.50</price><rush>1</rush><tags>a</tags><tags>b &amp; c</tags>
        <lines><sku>x</sku><n>+7</n></lines><lines><sku>y</sku><n>0</n></lines></order>`,
    );
    expect(value).toEqual({ id: ' A-1 ', qty: 2, price: -0.5, rush: true, tags: ['a', 'b & c'], lines: [{ sku: 'x', n: 7 }, { sku: 'y', n: 0 }], retries: 3 });
    expect(Object.keys(value)).not.toContain('mode');
  });

  it('reads booleans as true/false/1/0 and required arrays with no elements as []', () => {
    expect(readPayload(order, '<order><id>i</id><qty>1</qty><price>1</price><rush> false </rush></order>')).toMatchObject({ rush: false, tags: [] });
    expect(readPayload(order, '<order><id>i</id><qty>1</qty><price>1</price><rush>0</rush></order>')).toMatchObject({ rush: false });
  });

  it('concatenates text and CDATA, skips comments, keeps string whitespace verbatim', () => {
    const value = readPayload(order, '<order><id>\n a<!-- c --><![CDATA[<b>]]> </id><qty>1</qty><price>.5</price><rush>true</rush></order>');
    expect(value).toMatchObject({ id: '\n a<b> ', price: 0.5 });
  });

  it('skips processing instructions between fields and inside text (libxml2-wasm gives them no next sibling)', () => {
    const value = readPayload(order, '<order><?a?><id>x<?b?>y</id><?c?><qty>1</qty><price>1</price><rush>true</rush></order>');
    expect(value).toMatchObject({ id: 'xy', qty: 1 });
  });

  it('ignores unknown elements, namespaced look-alikes and attributes (the XSD judges those)', () => {
    const value = readPayload(
      order,
      '<order x="1"><id>i</id><extra>e</extra><qty>1</qty><price>1</price><rush>true</rush><p:mode xmlns:p="urn:p">sea</p:mode></order>',
    );
    expect(value).toEqual({ id: 'i', qty: 1, price: 1, rush: true, tags: [], retries: 3 });
  });

  it.each([
    ['<qty>two</qty>', 'qty: expected an integer, got "two"'],
    ['<qty>1.5</qty>', 'qty: expected an integer, got "1.5"'],
    ['<price>1e3</price>', 'price: expected a decimal number, got "1e3"'],
    ['<price>NaN</price>', 'price: expected a decimal number, got "NaN"'],
    ['<price></price>', 'price: expected a decimal number, got ""'],
    [`<price>${'9'.repeat(400)}</price>`, 'price: number "99999'],
    ['<rush>yes</rush>', 'rush: expected true or false, got "yes"'],
    ['<mode>rail</mode>', 'mode: Invalid option'],
    ['<qty>0</qty>', 'qty: Too small'],
    ['<qty>99999999999999999999</qty>', 'qty: '],
    ['<id><b>bold</b></id>', 'id: expected text, found a child element <b>'],
    ['<id>a</id><id>b</id>', 'id: expected one <id> element, found 2'],
    ['<lines><sku>s</sku><n>x</n></lines>', 'lines[0].n: expected an integer, got "x"'],
    ['<lines><sku>s</sku><n>1</n></lines><lines><n>2</n></lines>', 'lines[1].sku: required element <sku> is missing'],
  ])('%s is reported as a detail with its path', (fragment, detail) => {
    const base: Record<string, string> = { id: '<id>i</id>', qty: '<qty>1</qty>', price: '<price>1</price>', rush: '<rush>true</rush>' };
    const name = /^<(\w+)/.exec(fragment)![1]!;
    const parts = Object.entries(base).map(([k, v]) => (k === name ? fragment : v));
    if (!(name in base)) parts.push(fragment);
    const error = deserializeError(`<order>${parts.join('')}</order>`);
    expect(error.details!.some((d) => d.startsWith(detail))).toBe(true);
    expect(error.message).toContain('cannot read <order> as Order');
  });

  it('reports every missing required field by path', () => {
    const error = deserializeError('<order><price>1</price></order>');
    expect(error.details).toEqual(['id: required element <id> is missing', 'qty: required element <qty> is missing', 'rush: required element <rush> is missing']);
    expect(error.message).toMatch(/id: required element <id> is missing \(and 2 more problems\)/);
  });

  it('caps the details of a payload with very many problems', () => {
    const lines = Array.from({ length: 50 }, () => '<lines><sku>s</sku><n>x</n></lines>').join('');
    const error = deserializeError(`<order><id>i</id><qty>1</qty><price>1</price><rush>true</rush>${lines}</order>`);
    expect(error.details).toHaveLength(21);
    expect(error.details![20]).toBe('... and 30 more');
  });

  it('keeps a field named __proto__ a plain field', () => {
    const T = compileContract(definePayload('P', z.object({ ['__proto__']: z.string().optional(), a: z.string() })), '');
    const value = readPayload(T, '<p><__proto__>x</__proto__><a>y</a></p>') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value['a']).toBe('y');
  });

  it('never throws anything but an OrganismError, whatever element it gets', () => {
    const inputs = [
      '<order/>',
      '<other><x/></other>',
      '<order>text only</order>',
      '<order><lines>flat</lines><ship>flat</ship><tags><a/></tags></order>',
      '<p:order xmlns:p="urn:p"><p:id>i</p:id></p:order>',
      '<order><id>&#x1F600;</id><qty>-0</qty><price>-.0</price><rush>1</rush></order>',
    ];
    for (const xml of inputs) {
      const doc = XmlDocument.fromString(xml);
      try {
        const result = (() => {
          try {
            return order.fromXml(doc.root);
          } catch (error) {
            return error;
          }
        })();
        if (result instanceof Error) expect(result).toBeInstanceOf(OrganismError);
      } finally {
        doc.dispose();
      }
    }
  });

  it('wraps a refinement that throws as ORG_ERR_PAYLOAD_DESERIALIZE with the original error as cause', () => {
    const boom = (s: string) => {
      if (s === 'boom') throw new TypeError('refinement crashed');
      return true;
    };
    const T = compileContract(definePayload('A', z.object({ s: z.string().refine(boom) })), '');
    const parsed = parseXml('<a><s>boom</s></a>');
    try {
      const error = thrown(() => T.fromXml(parsed.doc.root)) as OrganismError;
      expect(error).toBeInstanceOf(OrganismError);
      expect(error.code).toBe('ORG_ERR_PAYLOAD_DESERIALIZE');
      expect(error.cause).toBeInstanceOf(TypeError);
      expect(error.message).toContain('refinement crashed');
    } finally {
      parsed.dispose();
    }
  });
});
