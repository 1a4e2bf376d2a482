import { describe, expect, it } from '@jest/globals';
import { canonicalize, libxml2Validator, parseXml, validateEnvelope, buildEnvelope, type OrganismError } from '@organism/xml';
import { ContextStorage } from 'libxml2-wasm/lib/utils.mjs';
import { contextStorageTuned } from '../src/libxml2Tuning';

const XSD =
  '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">' +
  '<xs:element name="n"><xs:simpleType><xs:restriction base="xs:integer"><xs:maxInclusive value="9"/></xs:restriction></xs:simpleType></xs:element>' +
  '</xs:schema>';

describe('libxml2-wasm ContextStorage tuning', () => {
  it('is in place for the libxml2-wasm version the lockfile holds', () => {
    // If a libxml2-wasm update changes ContextStorage, this fails: check the tuning still applies.
    expect(contextStorageTuned).toBe(true);
  });

  it('keeps the ContextStorage contract: unique live indices, values by index, idempotent free, reuse after free', () => {
    const storage = new ContextStorage<string>();
    const a = storage.allocate('a');
    const b = storage.allocate('b');
    expect(a).toBeGreaterThan(0);
    expect(b).not.toBe(a);
    expect(storage.get(a)).toBe('a');
    expect(storage.get(b)).toBe('b');
    storage.free(a);
    storage.free(a); // a second free of the same index must not hand it out twice
    expect(storage.get(a)).toBeUndefined();
    const c = storage.allocate('c');
    const d = storage.allocate('d');
    expect(new Set([b, c, d]).size).toBe(3);
    expect(storage.get(b)).toBe('b');
    expect(storage.get(c)).toBe('c');
    expect(storage.get(d)).toBe('d');
    storage.free(0);
    storage.free(-1);
    storage.free(10_000);
    expect(storage.get(10_000)).toBeUndefined();
  });

  it('keeps each parse, c14n and validation with its own diagnostics over many interleaved calls', () => {
    const schema = libxml2Validator.compile(XSD);
    try {
      for (let i = 0; i < 2_000; i++) {
        const value = i % 20; // 10..19 are invalid
        const bad = i % 7 === 0;
        using parsed = parseXml(bad ? `<n>${value}</m>` : `<n>${value}</n>`);
        expect(parsed.repairs.length > 0).toBe(bad);
        expect(canonicalize(parsed.doc)).toBe(`<n>${value}</n>`);
        const issues = schema.validate({ element: parsed.doc.root, xml: '' });
        if (issues instanceof Promise) throw new Error('libxml2 validates synchronously');
        expect(issues.length > 0).toBe(value > 9);
        if (value > 9) expect(issues[0]!.message).toMatch(/maxInclusive|9/);
      }
    } finally {
      schema.dispose();
    }
  });

  it('reports envelope errors with their own messages after thousands of successful validations', () => {
    const good = buildEnvelope({ from: 'user', to: 'greeter', thread: '3f2504e0-4f89-41d3-9a0c-0305e82c3301' }, '<greeting/>');
    for (let i = 0; i < 1_000; i++) {
      using parsed = parseXml(good);
      validateEnvelope(parsed.doc);
    }
    using parsed = parseXml('<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta/></message>');
    let error: OrganismError | undefined;
    try {
      validateEnvelope(parsed.doc);
    } catch (e) {
      error = e as OrganismError;
    }
    expect(error?.code).toBe('ORG_ERR_ENVELOPE_INVALID');
    expect(error?.message).toMatch(/meta|from|Missing child/i);
  });
});
