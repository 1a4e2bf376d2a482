import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isJavaAvailable, libxml2Validator, xercesValidator, type CompiledSchema } from '@organism/xml';
import { compileContract, definePayload, type Contract } from '@organism/schema';
import { golden, type Golden, type Sample } from './goldenSamples.js';
import { readPayload } from './readPayload.js';

// Golden set: generated XSDs for zod types covering every supported construct, each with valid and
// invalid payloads. libxml2 (the hot path) and Xerces (an independent implementation) must agree on
// every verdict, and the verdict must be the expected one. Valid payloads must also read back through
// fromXml. Xerces starts a JVM per call (~300 ms): keep the sample count modest.

interface Case {
  readonly id: string;
  readonly golden: Golden;
  readonly contract: Contract<unknown>;
  readonly label: string;
  readonly xml: string;
  readonly valid: boolean;
}

const cases: Case[] = golden.flatMap((g) => {
  const contract = compileContract(definePayload(g.type, g.schema), `Golden ${g.type}`);
  const all: Sample[] = [['generated example', contract.example, true], ...g.samples(contract.tag)];
  return all.map(([label, xml, valid]) => ({ id: `${g.type}: ${label}`, golden: g, contract, label, xml, valid }));
});

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function isValid(issues: readonly unknown[]): boolean {
  return issues.length === 0;
}

describe('libxml2 and Xerces agree on the generated schemas', () => {
  const libxml2 = new Map<Contract<unknown>, CompiledSchema>();
  const xerces = new Map<Contract<unknown>, CompiledSchema>();
  const xercesVerdicts = new Map<string, boolean | Error>();
  let javaAvailable = false;

  beforeAll(async () => {
    for (const c of cases) if (!libxml2.has(c.contract)) libxml2.set(c.contract, libxml2Validator.compile(c.contract.xsd));
    javaAvailable = await isJavaAvailable();
    if (!javaAvailable) {
      console.log('validatorAgreement: java is not available, so the Xerces half of the golden test is skipped; only libxml2 verdicts are checked');
      return;
    }
    const engine = xercesValidator();
    for (const c of cases) if (!xerces.has(c.contract)) xerces.set(c.contract, engine.compile(c.contract.xsd));
    await mapLimit(cases, 4, async (c) => {
      try {
        xercesVerdicts.set(c.id, isValid(await xerces.get(c.contract)!.validate({ xml: c.xml })));
      } catch (error) {
        xercesVerdicts.set(c.id, error as Error);
      }
    });
  }, 120_000);

  afterAll(() => {
    for (const schema of [...libxml2.values(), ...xerces.values()]) schema.dispose();
  });

  it('covers the golden set: 8 schemas, both verdicts, about 40 samples', () => {
    expect(golden).toHaveLength(8);
    expect(cases.filter((c) => c.valid).length).toBeGreaterThanOrEqual(16);
    expect(cases.filter((c) => !c.valid).length).toBeGreaterThanOrEqual(24);
    expect(cases.length).toBeLessThanOrEqual(50);
  });

  it.each(cases.map((c) => [c.id, c.valid ? 'valid' : 'invalid', c] as const))('%s is %s for both engines', (_id, _verdict, c) => {
    const issues = libxml2.get(c.contract)!.validate({ xml: c.xml });
    if (issues instanceof Promise) throw new Error('libxml2 validation is synchronous');
    expect({ engine: 'libxml2', valid: isValid(issues), issues }).toMatchObject({ engine: 'libxml2', valid: c.valid });
    if (javaAvailable) {
      const verdict = xercesVerdicts.get(c.id);
      if (verdict instanceof Error) throw verdict;
      expect({ engine: 'xerces', valid: verdict }).toEqual({ engine: 'xerces', valid: c.valid });
    }
    if (c.valid) {
      const value = readPayload(c.contract, c.xml);
      expect(c.golden.schema.safeParse(value).success).toBe(true);
    }
  });
});
