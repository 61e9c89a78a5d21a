/**
 * Test helper: `f` must throw a LowbitConfigError for `argument`, named in its message.
 *
 * ```ts
 * expectConfigError(() => appMulMatMul(a, w, undefined as never), 'm');
 * ```
 */
import { expect } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';

export function expectConfigError(f: () => unknown, argument: string): void {
  let error: unknown = null;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LowbitConfigError);
  expect((error as LowbitConfigError).argument).toBe(argument);
  expect((error as Error).message).toContain(argument);
}
