import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { canonicalize, libxml2Validator, parseXml, validateEnvelope, buildEnvelope, type OrganismError } from '@organism/xml';
import { ContextStorage } from 'libxml2-wasm/lib/utils.mjs';
import { contextStorageTuned, defaultConstructorTuning } from '../src/libxml2Tuning.js';

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

const CHURN_SCRIPT = 'packages/xml/test/support/wrapperChurn.ts';
const v8Major = Number(process.versions.v8.split('.')[0]);
const knownV8 = v8Major === 11 || v8Major === 12;

/** Compiles V8 threw away because a dependency changed, in a child that parses and walks 20,000 documents. */
async function abortedCompiles(env: Record<string, string>): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--trace-opt', '--import', 'tsx', CHURN_SCRIPT, '20000'], {
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  return stdout.split('\n').filter((line) => line.includes('aborted optimizing') && line.includes('dependency change')).length;
}

describe('V8 tuning for libxml2-wasm wrappers', () => {
  it('is applied on the V8 versions that have the default-constructor omission', () => {
    expect(defaultConstructorTuning).toBe(knownV8 ? 'applied' : 'not needed');
  });

  it('stops the aborted-compile loop of wrapper construction', async () => {
    expect(await abortedCompiles({})).toBeLessThanOrEqual(5);
  }, 90_000);

  // The control: without the tuning the same child shows the loop, so the test above can fail.
  (knownV8 ? it : it.skip)('sees the loop when the tuning is off (ORGANISM_V8_TUNING=off)', async () => {
    expect(await abortedCompiles({ ORGANISM_V8_TUNING: 'off' })).toBeGreaterThanOrEqual(20);
  }, 90_000);
});
