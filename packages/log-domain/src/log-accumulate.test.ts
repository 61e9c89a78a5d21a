import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { logAdd, logAddTable, logDomainMatMul } from './log-accumulate.js';
import { shiftMatMul } from './ops/shift-matmul.js';
import { randomCodes } from './testing/codes.test-util.js';

describe('logAddTable / logAdd', () => {
  it('tables log2(1 + 2^-d) in fixed point and stops where entries round to 0', () => {
    expect(Array.from(logAddTable(0))).toEqual([1, 1]); // log2(2) = 1, log2(1.5) = 0.58 -> 1, log2(1.25) = 0.32 -> 0
    const t2 = logAddTable(2);
    expect(t2[0]).toBe(4); // 1 octave = 4 quarter-octaves
    for (let d = 0; d < t2.length; d++) expect(t2[d]).toBe(Math.round(4 * Math.log2(1 + 2 ** (-d / 4))));
    expect(Math.round(4 * Math.log2(1 + 2 ** (-t2.length / 4)))).toBe(0);
  });

  it('adds equal values exactly and ignores the zero (-Infinity) operand', () => {
    const t = logAddTable(3);
    expect(logAdd(16, 16, t)).toBe(24); // 2^2 + 2^2 = 2^3
    expect(logAdd(-Infinity, 5, t)).toBe(5);
    expect(logAdd(40, 0, t)).toBe(40); // 2^5 + 2^0: correction below the table's resolution
  });

  it('rejects fracBits out of range', () => {
    expect(() => logAddTable(9)).toThrow(LowbitConfigError);
    expect(() => logAddTable(-1)).toThrow(/fracBits/);
  });
});

describe('logDomainMatMul', () => {
  it('is exact for a single term per output and close to exact accumulation with a fine table', () => {
    const a = tf.tensor2d(
      [
        [3, 0],
        [0, -2],
      ],
      [2, 2],
      'int32',
    );
    const b = tf.tensor2d(
      [
        [2, 1],
        [1, 4],
      ],
      [2, 2],
      'int32',
    );
    const y = logDomainMatMul(a, b, { aKind: 'pow2', bKind: 'pow2', fracBits: 0 });
    const exact = shiftMatMul(a, b, { aKind: 'pow2', bKind: 'pow2' });
    expect(Array.from(y.dataSync())).toEqual(Array.from(exact.dataSync()));
    tf.dispose([a, b, y, exact]);

    const x = randomCodes([4, 64], 7, 1);
    const w = randomCodes([64, 5], 7, 2);
    const coarse = logDomainMatMul(x, w, { aKind: 'pow2', bKind: 'pow2', fracBits: 0 });
    const fine = logDomainMatMul(x, w, { aKind: 'pow2', bKind: 'pow2', fracBits: 6 });
    const ex = shiftMatMul(x, w, { aKind: 'pow2', bKind: 'pow2' });
    const err = (t: tf.Tensor) => tf.tidy(() => tf.div(tf.norm(tf.sub(t, ex)), tf.norm(ex)).dataSync()[0]);
    expect(err(fine)).toBeLessThan(0.1); // signed sums cancel, which magnifies the per-add rounding
    expect(err(fine)).toBeLessThan(err(coarse));
    tf.dispose([x, w, coarse, fine, ex]);
  });

  it('is reachable as shiftMatMul({ accumulation: { log: { fracBits } } })', () => {
    const x = randomCodes([3, 20], 7, 5);
    const w = randomCodes([20, 4], 7, 6);
    const direct = logDomainMatMul(x, w, { aKind: 'pow2', bKind: 'pow2', scale: 0.5, fracBits: 2 });
    const viaOption = shiftMatMul(x, w, {
      aKind: 'pow2',
      bKind: 'pow2',
      scale: 0.5,
      accumulation: { log: { fracBits: 2 } },
    });
    expect(Array.from(viaOption.dataSync())).toEqual(Array.from(direct.dataSync()));
    expect(() => shiftMatMul(x, w, { aKind: 'pow2', bKind: 'pow2', accumulation: 'log' as never })).toThrow(
      /accumulation/,
    );
    tf.dispose([x, w, direct, viaOption]);
  });

  it('rejects fixed-point operands and fracBits 0 with base sqrt 2', () => {
    const a = tf.zeros([1, 2], 'int32');
    const b = tf.zeros([2, 1], 'int32');
    expect(() => logDomainMatMul(a, b, { aKind: 'int', bKind: 'pow2', fracBits: 2 })).toThrow(/aKind/);
    expect(() => logDomainMatMul(a, b, { aKind: 'pow2-sqrt2', bKind: 'pow2', fracBits: 0 })).toThrow(/fracBits/);
    expect(() => logDomainMatMul(a, b, { aKind: 'pow2', bKind: 'pow2', fracBits: 1.5 })).toThrow(LowbitConfigError);
    tf.dispose([a, b]);
  });
});
