import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from './errors.js';
import { checkFinite, checkInteger, checkKnownKeys, checkOneOf, checkPositive, checkRange, checkRank } from './validate.js';

describe('checkInteger', () => {
  it('returns integers in range', () => {
    expect(checkInteger('bits', 8, 1, 32)).toBe(8);
  });
  it.each([0, 33, 2.5, Number.NaN, '8', undefined])('rejects bits = %s naming argument, value and range', (bad) => {
    expect(() => checkInteger('bits', bad, 1, 32)).toThrowError(LowbitConfigError);
    expect(() => checkInteger('bits', bad, 1, 32)).toThrowError(/bits = .* is invalid: expected an integer from 1 to 32/);
  });
});

describe('checkFinite / checkPositive / checkRange', () => {
  it('accepts finite values within bounds', () => {
    expect(checkFinite('x', 0.5, { min: 0, max: 1 })).toBe(0.5);
    expect(checkPositive('scale', 1e-9)).toBe(1e-9);
    expect(checkRange('range', [-1, 2])).toEqual([-1, 2]);
  });
  it('rejects NaN, Infinity and out-of-bound values', () => {
    expect(() => checkFinite('x', Infinity)).toThrowError(/x = Infinity is invalid/);
    expect(() => checkPositive('scale', 0)).toThrowError(/scale = 0 is invalid: expected a finite number > 0/);
    expect(() => checkRange('range', [1, 1])).toThrowError(/range = \[1, 1\]/);
    expect(() => checkRange('range', [0, Number.NaN])).toThrowError(LowbitConfigError);
  });
});

describe('checkOneOf / checkRank / checkKnownKeys', () => {
  it('names the allowed values', () => {
    expect(() => checkOneOf('mode', 'x', ['a', 'b'])).toThrowError(/mode = "x" is invalid: expected one of "a", "b"/);
  });
  it('reports the rank it got', () => {
    const t = tf.zeros([2, 3]);
    expect(() => checkRank('input', t, [4])).toThrowError(/expected a tensor of rank 4, got rank 2/);
    t.dispose();
  });
  it('catches unknown option keys', () => {
    expect(() => checkKnownKeys('config', { bits: 2, bitz: 3 }, ['bits'])).toThrowError(/config.bitz = 3 is invalid: unknown option/);
  });
});
