import { describe, expect, it } from 'vitest';
import { truncatedMultiplier } from '../families/truncated.js';
import { expectConfigError } from '../test/config-error.js';
import { appMulMatMulReference } from './reference.js';

describe('appMulMatMulReference: bad arguments', () => {
  const m = truncatedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, columns: 3 });
  const a = Int32Array.of(1, 2, 3, 4);
  const w = Int32Array.of(-1, 2);

  it('sums through m.product for a valid call', () => {
    expect(Array.from(appMulMatMulReference(a, w, [2, 2, 1], m))).toEqual([
      m.product(1, -1) + m.product(2, 2),
      m.product(3, -1) + m.product(4, 2),
    ]);
  });

  it('names the array, shape entry or multiplier that is wrong, before allocating', () => {
    expectConfigError(() => appMulMatMulReference(undefined as never, w, [2, 2, 1], m), 'aCodes');
    expectConfigError(() => appMulMatMulReference(Float64Array.of(1, NaN, 3, 4), w, [2, 2, 1], m), 'aCodes[1]');
    expectConfigError(() => appMulMatMulReference(a, 'ab' as never, [2, 2, 1], m), 'wCodes');
    expectConfigError(() => appMulMatMulReference(a, w, 1e9 as never, m), 'shape');
    expectConfigError(() => appMulMatMulReference(a, w, [2, 2.5, 1], m), 'shape[1]');
    // K = 0 would leave B N unbounded by the inputs: rejected.
    expectConfigError(() => appMulMatMulReference([], [], [1e9, 0, 1e9], m), 'shape[1]');
    expectConfigError(() => appMulMatMulReference(a, w, [2, 1, 2], m), 'shape');
    expectConfigError(() => appMulMatMulReference(a, w, [2, 2, 1], undefined as never), 'm');
    expectConfigError(() => appMulMatMulReference(Int32Array.of(1, 16, 3, 4), w, [2, 2, 1], m), 'a');
  });
});
