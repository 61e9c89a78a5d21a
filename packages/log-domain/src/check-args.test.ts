import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import {
  decodeUnits,
  decodeShiftCode,
  logAdd,
  logAddTable,
  logDomainMatMul,
  shiftConv2d,
  shiftKindOf,
  shiftMatMul,
} from './index.js';

const codes = (v: number[], shape: number[]) => tf.tensor(v, shape, 'int32');

describe('log-domain ops reject bad arguments with typed errors', () => {
  it('decodeShiftCode, shiftKindOf, logAdd: the scalar helpers', () => {
    expect(() => decodeShiftCode(1.5, 'pow2')).toThrow(/c = 1.5/);
    expect(() => decodeShiftCode(3, 'log' as never)).toThrow(/kind = "log"/);
    expect(() => shiftKindOf({ encoding: 'pow2' } as never)).toThrow(/q = .* expected a QuantizedTensor/);
    const table = logAddTable(3);
    expect(() => logAdd(Number.NaN, 0, table)).toThrow(/a = NaN/);
    expect(() => logAdd(0, 0, [8, 7] as never)).toThrow(/table/);
    expect(logAdd(-Infinity, 5, table)).toBe(5);
  });

  it('decodeUnits checks dtype, kind and code range', () => {
    expect(() => decodeUnits(tf.tensor([1, 2]), 'pow2')).toThrow(/codes.dtype = "float32"/);
    expect(() => decodeUnits(codes([1], [1]), 'nope' as never)).toThrow(/kind = "nope"/);
    expect(() => decodeUnits(codes([100000], [1]), 'pow2')).toThrow(/exceeds the largest pow2 code/);
  });

  it('the shift products reject unknown option keys', () => {
    const a = codes([1, 2, 3, 4], [2, 2]);
    expect(() => shiftMatMul(a, a, { aKind: 'int', bKind: 'int', scales: 2 } as never)).toThrow(/options.scales/);
    expect(() => logDomainMatMul(a, a, { aKind: 'pow2', bKind: 'pow2', fracBits: 3, frac: 1 } as never)).toThrow(
      LowbitConfigError,
    );
    const x = codes([1, 2, 3, 4], [1, 2, 2, 1]);
    const f = codes([1], [1, 1, 1, 1]);
    expect(() => shiftConv2d(x, f, { xKind: 'int', filterKind: 'pow2', padding: 'same' } as never)).toThrow(
      /options.padding/,
    );
    expect(() => shiftConv2d(x, f, null as never)).toThrow(/options = null/);
    tf.dispose([a, x, f]);
  });
});
