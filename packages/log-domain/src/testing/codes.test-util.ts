// Test helpers: seeded random code tensors and a float64 reference of the quantized values.
import * as tf from '@tensorflow/tfjs-core';
import { decodeShiftCode, type ShiftOperandKind } from '../shift-operand.js';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random codes of `kind`: log codes in [-maxCode, maxCode] (with zeros), int codes likewise. */
export function randomCodes(shape: number[], maxCode: number, seed: number): tf.Tensor {
  const rnd = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Int32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.floor(rnd() * (2 * maxCode + 1)) - maxCode;
  return tf.tensor(v, shape, 'int32');
}

/** The real value of each code in units, in float64. */
export function unitValues(codes: ArrayLike<number>, kind: ShiftOperandKind): Float64Array {
  return Float64Array.from(codes, (c) => {
    const d = decodeShiftCode(c, kind);
    return d.multiplier * 2 ** (d.halfSteps / 2);
  });
}

/** float64 matmul of real values times scale, rounded once to float32. */
export function referenceMatMul(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  scale: number,
): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a[i * k + p] * b[p * n + j];
      out[i * n + j] = acc * scale;
    }
  }
  return out;
}
