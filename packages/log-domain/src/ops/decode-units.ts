/**
 * Composed (tf-op) decoding of shift-operand codes into float32 "units", used by the fallbacks of
 * the shift kernels on backends without a JS-loop kernel. A code's value in units is
 * `even + sqrt2 * odd`: `odd` is only present for base-sqrt-2 codes with an odd half-octave offset.
 *
 * ```ts
 * const { even, odd } = decodeUnits(tf.tensor1d([0, 1, -3], 'int32'), 'pow2'); // even [0, 1, -4], odd null
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkTensor } from '@lowbit/quant-core';
import type { ShiftOperandKind } from '../shift-operand.js';
import { checkCodeRange, checkKind } from './shift-options.js';

export interface DecodedUnits {
  even: tf.Tensor;
  odd: tf.Tensor | null;
}

export function decodeUnits(codes: tf.Tensor, kind: ShiftOperandKind): DecodedUnits {
  checkTensor('codes', codes, { dtype: 'int32' });
  checkCodeRange('codes', codes, checkKind('kind', kind));
  return decodeUnitsUnchecked(codes, kind);
}

/** {@link decodeUnits} for codes the caller has checked (the shift ops). */
export function decodeUnitsUnchecked(codes: tf.Tensor, kind: ShiftOperandKind): DecodedUnits {
  return tf.tidy(() => {
    const c = tf.cast(codes, 'float32');
    if (kind === 'int') return { even: c, odd: null } as unknown as tf.TensorContainer;
    const nonZero = tf.notEqual(c, 0);
    const zeros = tf.zerosLike(c);
    const offset = tf.sub(tf.abs(c), 1);
    if (kind === 'pow2') {
      const even = tf.where(nonZero, tf.mul(tf.sign(c), tf.pow(2, tf.maximum(offset, 0))), zeros);
      return { even, odd: null } as unknown as tf.TensorContainer;
    }
    const half = tf.floor(tf.div(tf.maximum(offset, 0), 2));
    const value = tf.mul(tf.sign(c), tf.pow(2, half));
    const isOdd = tf.logicalAnd(nonZero, tf.equal(tf.mod(tf.maximum(offset, 0), 2), 1));
    const isEven = tf.logicalAnd(nonZero, tf.logicalNot(isOdd));
    return {
      even: tf.where(isEven, value, zeros),
      odd: tf.where(isOdd, value, zeros),
    } as unknown as tf.TensorContainer;
  }) as unknown as DecodedUnits;
}

/**
 * `(aE + sqrt2 aO) (bE + sqrt2 bO) = aE bE + 2 aO bO + sqrt2 (aE bO + aO bE)`, with `product` the
 * bilinear op (matMul or conv2d), then times `scale`: the fallback of both shift kernels.
 */
export function combineProducts(
  a: DecodedUnits,
  b: DecodedUnits,
  product: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor,
  scale: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    let even = product(a.even, b.even);
    if (a.odd && b.odd) even = tf.add(even, tf.mul(product(a.odd, b.odd), 2));
    const oddTerms: tf.Tensor[] = [];
    if (b.odd) oddTerms.push(product(a.even, b.odd));
    if (a.odd) oddTerms.push(product(a.odd, b.even));
    let total = even;
    if (oddTerms.length > 0) {
      const odd = oddTerms.length === 1 ? oddTerms[0] : tf.add(oddTerms[0], oddTerms[1]);
      total = tf.add(even, tf.mul(odd, Math.SQRT2));
    }
    return tf.mul(total, scale);
  });
}

export function disposeUnits(u: DecodedUnits): void {
  u.even.dispose();
  u.odd?.dispose();
}

/** One operand of {@link composedShiftProduct}: its codes, their kind, and its argument name for errors. */
export interface ShiftOperand {
  name: string;
  codes: tf.Tensor;
  kind: ShiftOperandKind;
}

/**
 * The composed fallback of the shift ops: checks both operands' code ranges, decodes them and
 * returns {@link combineProducts} times `scale` (one value, or one per output channel).
 */
export function composedShiftProduct(
  a: ShiftOperand,
  b: ShiftOperand,
  scale: number[],
  product: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  checkCodeRange(a.name, a.codes, a.kind);
  checkCodeRange(b.name, b.codes, b.kind);
  const ua = decodeUnitsUnchecked(a.codes, a.kind);
  const ub = decodeUnitsUnchecked(b.codes, b.kind);
  const s = scale.length === 1 ? tf.scalar(scale[0]) : tf.tensor1d(scale);
  try {
    return combineProducts(ua, ub, product, s);
  } finally {
    disposeUnits(ua);
    disposeUnits(ub);
    s.dispose();
  }
}
