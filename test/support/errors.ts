/** Assertions on thrown errors, shared by the test suites (no backend needed). */
import { expect } from 'vitest';

/** Asserts that fn throws an instance of `type` whose message matches `pattern`. */
export function expectThrows(fn: () => unknown, type: new (message?: string) => Error, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected a ${type.name}`).toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(pattern);
}

/** Asserts that fn throws `type` with a message naming the op ("dendrite.<op>: …"). */
export function expectOpError(fn: () => unknown, type: new (message?: string) => Error, op: string): void {
  expectThrows(fn, type, new RegExp(`^dendrite\\.${op}: `));
}
