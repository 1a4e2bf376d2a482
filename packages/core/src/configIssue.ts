import type { z } from 'zod';

/** Where in the YAML a schema issue points and what to tell the user about it. */
export interface ConfigIssue {
  /** Key path of the node to report (the parent mapping for a missing key). */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const NOUNS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
};

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

function expectation(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return NOUNS[issue.expected] ?? issue.expected;
    case 'invalid_union': {
      const options = new Set(issue.errors.map((branch) => (branch[0] ? expectation(branch[0]) : undefined)));
      options.delete(undefined);
      return options.size ? [...options].join(' or ') : undefined;
    }
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return undefined;
  }
}

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  if (issue.origin === 'string' || issue.origin === 'array') {
    const unit = issue.origin === 'string' ? 'characters' : 'items';
    if (small && limit === 1) return 'must not be empty';
    return `must have ${small ? 'at least' : 'at most'} ${limit} ${unit}`;
  }
  const op = small ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
  return `must be ${op} ${limit}, got ${describeValue(value)}`;
}

/**
 * Turns the first zod issue of a failed `organism.yaml` parse into words a user acts on:
 * `required key payload_class is missing`, `expected a number, got the string "abc"`,
 * `must be > 0, got -1`, instead of zod's generic "Invalid input". Unknown keys are
 * reported by the caller, which knows the allowed keys for a did-you-mean hint.
 * `expectations` names what a key holds where the schema alone says too little
 * (`payload_class` → `a module reference "path/to/module.ts#ExportName" or a list of them`).
 */
export function describeConfigIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  expectations: Readonly<Record<string, string>> = {},
): ConfigIssue {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const value = valueAt(raw, path);
  if (issue.code === 'invalid_union' && value !== undefined) {
    // the branch whose type fits the value failed deeper down: report that failure
    const fitting = issue.errors.find((branch) => branch[0] && !(branch[0].code === 'invalid_type' && branch[0].path.length === 0));
    if (fitting?.[0]) return describeConfigIssue({ ...fitting[0], path: [...path, ...fitting[0].path] }, raw, expectations);
  }
  const key = path.at(-1);
  const expected = (typeof key === 'string' ? expectations[key] : undefined) ?? expectation(issue);
  const parent = path.slice(0, -1);
  const container = valueAt(raw, parent);
  if (
    value === undefined &&
    path.length > 0 &&
    (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
    container !== null &&
    typeof container === 'object' &&
    !Array.isArray(container)
  ) {
    return { path: parent, message: `required key ${String(key)} is missing${expected ? ` (expected ${expected})` : ''}` };
  }
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_union':
    case 'invalid_value':
      return { path, message: `expected ${expected ?? 'another value'}, got ${describeValue(value)}` };
    case 'too_small':
    case 'too_big':
      return { path, message: bound(issue, value) };
    case 'invalid_format':
      return { path, message: `${issue.message}, got ${describeValue(value)}` };
    default:
      return { path, message: issue.message };
  }
}
