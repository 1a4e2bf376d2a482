import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isJavaAvailable, libxml2Validator, xercesValidator, type CompiledSchema } from '@organism/xml';
import { z } from 'zod';
import { compileContract, definePayload, type Contract } from '@organism/schema';
import { readPayload } from './readPayload';

// Golden set: generated XSDs for zod types covering every supported construct, each with valid and
// invalid payloads. libxml2 (the hot path) and Xerces (an independent implementation) must agree on
// every verdict, and the verdict must be the expected one. Valid payloads must also read back through
// fromXml. Xerces starts a JVM per call (~300 ms): keep the sample count modest.

type Sample = readonly [label: string, xml: string, valid: boolean];
interface Golden {
  readonly type: string;
  readonly schema: z.ZodObject;
  readonly samples: (tag: string) => readonly Sample[];
}

const golden: readonly Golden[] = [
  {
    type: 'Strings',
    schema: z.object({
      code: z.string().length(3),
      name: z.string().min(1).max(10),
      note: z.string().optional(),
      ref: z.string().regex(/^[A-Z]{2}-\d{3}$/),
    }),
    samples: (t) => [
      ['optional field absent', `<${t}><code>abc</code><name>N</name><ref>AB-123</ref></${t}>`, true],
      ['string too long', `<${t}><code>abc</code><name>12345678901</name><ref>AB-123</ref></${t}>`, false],
      ['string below minLength', `<${t}><code>abc</code><name></name><ref>AB-123</ref></${t}>`, false],
      ['pattern mismatch', `<${t}><code>abc</code><name>N</name><ref>ab-123</ref></${t}>`, false],
    ],
  },
  {
    type: 'Numbers',
    schema: z.object({
      qty: z.number().int().min(1).max(99),
      price: z.number().gt(0).lte(1000),
      cents: z.number().multipleOf(0.01).optional(),
      big: z.int32().optional(),
    }),
    samples: (t) => [
      ['values on the bounds', `<${t}><qty>99</qty><price>1000</price><cents>1.25</cents><big>-2147483648</big></${t}>`, true],
      ['wrong type', `<${t}><qty>two</qty><price>1</price></${t}>`, false],
      ['decimal for an integer', `<${t}><qty>1.5</qty><price>1</price></${t}>`, false],
      ['exclusive bound', `<${t}><qty>1</qty><price>0</price></${t}>`, false],
      ['out of range', `<${t}><qty>1</qty><price>1000.5</price></${t}>`, false],
      ['too many fraction digits', `<${t}><qty>1</qty><price>1</price><cents>1.234</cents></${t}>`, false],
      ['beyond int32', `<${t}><qty>1</qty><price>1</price><big>2147483648</big></${t}>`, false],
    ],
  },
  {
    type: 'Choices',
    schema: z.object({ urgent: z.boolean(), level: z.enum(['low', 'mid', 'high']), kind: z.literal('task') }),
    samples: (t) => [
      ['boolean as 0, last enum value', `<${t}><urgent>0</urgent><level>high</level><kind>task</kind></${t}>`, true],
      ['bad boolean', `<${t}><urgent>yes</urgent><level>low</level><kind>task</kind></${t}>`, false],
      ['bad enum', `<${t}><urgent>true</urgent><level>urgent</level><kind>task</kind></${t}>`, false],
      ['literal is case-sensitive', `<${t}><urgent>true</urgent><level>low</level><kind>Task</kind></${t}>`, false],
      ['enum is whitespace-sensitive', `<${t}><urgent>true</urgent><level> low</level><kind>task</kind></${t}>`, false],
    ],
  },
  {
    type: 'Defaults',
    schema: z.object({ title: z.string(), retries: z.number().int().min(0).default(3), verbose: z.boolean().default(false) }),
    samples: (t) => [
      ['defaulted fields absent', `<${t}><title>x</title></${t}>`, true],
      ['missing required', `<${t}><retries>1</retries></${t}>`, false],
      ['defaulted field out of range', `<${t}><title>x</title><retries>-1</retries></${t}>`, false],
    ],
  },
  {
    type: 'Arrays',
    schema: z.object({ tags: z.array(z.string().max(8)).min(1).max(3), scores: z.array(z.number().int()).optional() }),
    samples: (t) => [
      ['three items and a list', `<${t}><tags>a</tags><tags>b</tags><tags>c</tags><scores>1</scores><scores>-2</scores></${t}>`, true],
      ['too many items', `<${t}><tags>a</tags><tags>b</tags><tags>c</tags><tags>d</tags></${t}>`, false],
      ['too few items', `<${t}><scores>1</scores></${t}>`, false],
      ['items interleaved', `<${t}><tags>a</tags><scores>1</scores><tags>b</tags></${t}>`, false],
      ['item too long', `<${t}><tags>123456789</tags></${t}>`, false],
    ],
  },
  {
    type: 'Nested',
    schema: z.object({
      customer: z.object({ name: z.string(), address: z.object({ city: z.string(), zip: z.string().length(5) }).optional() }),
      total: z.number(),
    }),
    samples: (t) => [
      ['optional object absent', `<${t}><customer><name>Ada</name></customer><total>0</total></${t}>`, true],
      ['nested constraint', `<${t}><customer><name>Ada</name><address><city>Bern</city><zip>300</zip></address></customer><total>1</total></${t}>`, false],
      ['nested missing required', `<${t}><customer><address><city>Bern</city><zip>30000</zip></address></customer><total>1</total></${t}>`, false],
      ['unknown nested element', `<${t}><customer><name>Ada</name><phone>1</phone></customer><total>1</total></${t}>`, false],
      ['wrong order', `<${t}><total>1</total><customer><name>Ada</name></customer></${t}>`, false],
    ],
  },
  {
    type: 'LineItems',
    schema: z.object({ lines: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })).min(1).max(2) }),
    samples: (t) => [
      ['two items', `<${t}><lines><sku>a</sku><qty>1</qty></lines><lines><sku>b</sku><qty>2</qty></lines></${t}>`, true],
      ['too many objects', `<${t}>${'<lines><sku>a</sku><qty>1</qty></lines>'.repeat(3)}</${t}>`, false],
      ['positive means > 0', `<${t}><lines><sku>a</sku><qty>0</qty></lines></${t}>`, false],
      ['text instead of an object', `<${t}><lines>a</lines></${t}>`, false],
    ],
  },
  {
    type: 'Search',
    schema: z.object({
      query: z.string().min(1).describe('search text'),
      limit: z.number().int().min(1).max(50).optional().describe('max results'),
      exact: z.boolean().default(false).describe('exact match only'),
    }),
    samples: (t) => [
      ['whitespace around a number', `<${t}><query>q</query><limit> 5 </limit></${t}>`, true],
      ['unknown element', `<${t}><query>q</query><sort>asc</sort></${t}>`, false],
      ['attribute on the root', `<${t} lang="en"><query>q</query></${t}>`, false],
      ['namespaced child', `<${t}><query xmlns="urn:x">q</query></${t}>`, false],
      ['text in the root', `<${t}>hello<query>q</query></${t}>`, false],
      ['wrong root element', '<query>q</query>', false],
    ],
  },
];

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
