import { expect } from '@jest/globals';
import { OrganismError, type ErrorCode } from '@organism/xml';

/** The OrganismError `fn` throws; fails the test when it throws nothing or something else. */
export function thrownBy(fn: () => unknown): OrganismError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrganismError) return error;
    throw new Error(`expected an OrganismError, got ${String(error)}`);
  }
  throw new Error('expected an OrganismError, nothing was thrown');
}

/** The OrganismError `fn` throws, checked to carry `code`. */
export function expectCode(fn: () => unknown, code: ErrorCode): OrganismError {
  const error = thrownBy(fn);
  expect(error.code).toBe(code);
  return error;
}
