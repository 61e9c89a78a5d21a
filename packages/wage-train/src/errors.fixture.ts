/**
 * Test fixture: assertions that a call fails with the typed error the package promises, naming
 * the argument (LowbitConfigError) or the source (LowbitDataError) in the message.
 */
import { expect } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

async function caughtAsync(f: () => Promise<unknown>): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to reject');
}

function checkConfigError(e: unknown, argument: string): void {
  expect(e).toBeInstanceOf(LowbitConfigError);
  expect((e as LowbitConfigError).argument).toBe(argument);
  expect((e as Error).message).toContain(argument);
}

function checkDataError(e: unknown, source: string): void {
  expect(e).toBeInstanceOf(LowbitDataError);
  expect((e as LowbitDataError).source).toBe(source);
  expect((e as Error).message).toContain(source);
}

/** `f()` throws a LowbitConfigError whose `argument` is `argument` and whose message names it. */
export const expectConfigError = (f: () => unknown, argument: string) => checkConfigError(caught(f), argument);
/** `f()` throws a LowbitDataError whose `source` is `source` and whose message names it. */
export const expectDataError = (f: () => unknown, source: string) => checkDataError(caught(f), source);
/** The promise of `f()` rejects with a LowbitConfigError naming `argument`. */
export const rejectsConfigError = async (f: () => Promise<unknown>, argument: string) =>
  checkConfigError(await caughtAsync(f), argument);
/** The promise of `f()` rejects with a LowbitDataError naming `source`. */
export const rejectsDataError = async (f: () => Promise<unknown>, source: string) =>
  checkDataError(await caughtAsync(f), source);
