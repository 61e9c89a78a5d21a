import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { directCode, directStep, signedCodeRange } from './direct-quant.js';

describe('direct N-bit quantization', () => {
  it('computes delta_N = max|A| / 2^(N-1) in float32', () => {
    expect(directStep(2, 3)).toBe(0.5);
    expect(directStep(1, 4)).toBe(0.125);
    expect(directStep(0.3, 5)).toBe(Math.fround(0.3 / 16));
  });

  it('gives an all-zero channel the fallback step instead of 0', () => {
    expect(directStep(0, 4)).toBe(1);
    expect(directStep(0, 4, 0.25)).toBe(0.25);
  });

  it('rejects bad bits and bad maxima', () => {
    expect(() => directStep(1, 0)).toThrow(LowbitConfigError);
    expect(() => directStep(1, 2.5)).toThrow(/bits = 2.5/);
    expect(() => directStep(Number.NaN, 3)).toThrow(LowbitConfigError);
    expect(() => directStep(-1, 3)).toThrow(/maxAbs = -1/);
  });

  it('quantizes to clamp(round(A / delta), -2^(N-1), 2^(N-1) - 1)', () => {
    expect(signedCodeRange(3)).toEqual([-4, 3]);
    const step = directStep(2, 3); // 0.5
    expect(directCode(0.74, step, 3)).toBe(1);
    expect(directCode(0.75, step, 3)).toBe(2); // 1.5 -> 2 (even)
    expect(directCode(1.25, step, 3)).toBe(2); // 2.5 -> 2 (even)
    expect(directCode(2, step, 3)).toBe(3); // max|A| maps to 2^(N-1), clamped to 3
    expect(directCode(-2, step, 3)).toBe(-4);
    expect(directCode(-100, step, 3)).toBe(-4);
  });
});
