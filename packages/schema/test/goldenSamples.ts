import { z } from 'zod';

// The golden set of validatorAgreement.test.ts, shared with fromCanonicalXml.test.ts: zod types covering
// every supported construct, each with valid and invalid payloads.

export type Sample = readonly [label: string, xml: string, valid: boolean];
export interface Golden {
  readonly type: string;
  readonly schema: z.ZodObject;
  readonly samples: (tag: string) => readonly Sample[];
}

export const golden: readonly Golden[] = [
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
