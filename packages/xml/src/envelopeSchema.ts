/**
 * The envelope namespace, shared with the seed implementation (wire-compatible).
 *
 * @example
 * ```ts
 * const root = doc.root;
 * const isEnvelope = root.name === 'message' && root.namespaceUri === ENVELOPE_NS;
 * ```
 */
export const ENVELOPE_NS = 'https://xml-pipeline.org/ns/envelope/v1';

/**
 * The project's envelope XSD. Seed-compatible: same namespace and structure, a `<meta>` block with
 * `<from>`, optional `<to>`, `<thread>` and room for future fields from other namespaces, then at most
 * one payload element of any namespace, validated laxly (its own listener XSD validates it later).
 * "Exactly one payload" is enforced by {@link extractPayload} (ORG_ERR_ENVELOPE_PAYLOAD), so a seed
 * envelope without payload still passes the schema, as it does in the seed.
 *
 * @example
 * ```ts
 * const envelopeSchema = libxml2Validator.compile(ENVELOPE_XSD);
 * ```
 */
export const ENVELOPE_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="${ENVELOPE_NS}"
           elementFormDefault="qualified">
  <xs:element name="message">
    <xs:annotation>
      <xs:documentation>The envelope around every payload the pump routes.</xs:documentation>
    </xs:annotation>
    <xs:complexType>
      <xs:sequence>
        <xs:element name="meta">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="from" type="xs:string"/>
              <xs:element name="to" type="xs:string" minOccurs="0"/>
              <xs:element name="thread" type="xs:string"/>
              <!-- Reserved for future standard fields (timestamp, priority, ...). -->
              <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <!-- The payload: one element of any namespace, including none. -->
        <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="1"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;
