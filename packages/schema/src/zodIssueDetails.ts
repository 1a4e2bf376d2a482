import type { z } from 'zod';
import { valuePath } from './valuePath.js';

/**
 * One line per zod issue, prefixed with its path (`items[1].qty: Too big: expected number to be <=10`).
 * A required field the input lacks is reported as a missing element rather than as `undefined`.
 *
 * @example
 * zodIssueDetails(schema.safeParse(raw).error!.issues, raw); // ['b: required element <b> is missing']
 */
export function zodIssueDetails(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const path = valuePath(issue.path);
    const last = issue.path[issue.path.length - 1];
    if (issue.code === 'invalid_type' && typeof last === 'string' && valueAt(input, issue.path) === undefined) {
      return `${path}: required element <${last}> is missing`;
    }
    return `${path}: ${issue.message}`;
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
