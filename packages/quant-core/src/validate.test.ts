import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from './errors.js';
import {
  checkFinite,
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkRenamedOptions,
  checkNumbers,
  checkObject,
  checkOneOf,
  checkPositive,
  checkRange,
  checkRank,
  checkShape,
  checkTensor,
  isTensorLike,
} from './validate.js';

describe('checkInteger', () => {
  it('returns integers in range', () => {
    expect(checkInteger('bits', 8, 1, 32)).toBe(8);
  });
  it.each([0, 33, 2.5, Number.NaN, '8', undefined])('rejects bits = %s naming argument, value and range', (bad) => {
    expect(() => checkInteger('bits', bad, 1, 32)).toThrowError(LowbitConfigError);
    expect(() => checkInteger('bits', bad, 1, 32)).toThrowError(
      /bits = .* is invalid: expected an integer from 1 to 32/,
    );
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
    expect(() => checkKnownKeys('config', { bits: 2, bitz: 3 }, ['bits'])).toThrowError(
      /config.bitz = 3 is invalid: unknown option/,
    );
  });
});

describe('checkTensor / checkObject / checkFunction / checkNumbers / checkShape', () => {
  it('returns what it checked', () => {
    const t = tf.zeros([2, 3]);
    expect(checkTensor('x', t, { dtype: 'float32', rank: 2, nonEmpty: true })).toBe(t);
    expect(isTensorLike(t)).toBe(true);
    expect(checkObject('opts', { a: 1 })).toEqual({ a: 1 });
    expect(checkNumbers('v', [1, 2], 2)).toEqual([1, 2]);
    expect(checkShape('shape', [2, 0])).toEqual([2, 0]);
    t.dispose();
  });
  it('names the argument, the value and what is allowed', () => {
    const i = tf.zeros([2], 'int32');
    expect(() => checkTensor('x', [1, 2])).toThrowError(/x = \[1, 2\] is invalid: expected a tf.Tensor/);
    expect(() => checkTensor('x', i, { dtype: 'float32' })).toThrowError(
      /x.dtype = "int32" is invalid: expected a float32/,
    );
    expect(() => checkTensor('x', i, { minRank: 2 })).toThrowError(/x.shape = \[2\] is invalid: expected rank >= 2/);
    expect(() => checkTensor('x', tf.zeros([0]), { nonEmpty: true })).toThrowError(/non-empty/);
    i.dispose();
    expect(() => checkTensor('x', i)).toThrowError(/disposed/);
    expect(() => checkObject('opts', null)).toThrowError(/opts = null/);
    expect(() => checkFunction('f', 3)).toThrowError(/f = 3 is invalid: expected a function/);
    expect(() => checkNumbers('v', [1, NaN])).toThrowError(/v\[1\] = NaN/);
    expect(() => checkShape('shape', [2, -1])).toThrowError(LowbitConfigError);
  });
  it('a check given a bad name, bounds or allowed list throws the same typed error', () => {
    expect(() => checkInteger(undefined as never, 3, 0, 5)).toThrowError(/argument = undefined/);
    expect(() => checkInteger('n', 3, 'a' as never, 5)).toThrowError(/min = "a"/);
    expect(() => checkOneOf('mode', 'a', null as never)).toThrowError(/allowed = null/);
    expect(() => checkRank('x', tf.zeros([1]), 'nope' as never)).toThrowError(/ranks = "nope"/);
    expect(() => checkKnownKeys('opts', null as never, ['a'])).toThrowError(/opts = null/);
    expect(() => checkFinite('x', 1, { mn: 0 } as never)).toThrowError(/opts.mn/);
  });
});

describe('checkRenamedOptions', () => {
  it('names the new option when the old one is given, and passes otherwise', () => {
    expect(() => checkRenamedOptions('wrpnActivation', { bits: 4 }, { bits: 'outputBits' })).toThrowError(
      /wrpnActivation.bits = 4 is invalid: the option is called outputBits/,
    );
    expect(() => checkRenamedOptions('wrpnActivation', { outputBits: 4 }, { bits: 'outputBits' })).not.toThrow();
  });

  it('checks its own arguments', () => {
    expect(() => checkRenamedOptions('opts', null as never, { a: 'b' })).toThrowError(/opts = null/);
    expect(() => checkRenamedOptions('opts', {}, null as never)).toThrowError(/renamed = null/);
    expect(() => checkRenamedOptions('', {}, {})).toThrowError(/argument/);
  });
});
