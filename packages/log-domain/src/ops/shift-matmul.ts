/**
 * `shiftMatMul(a, b, options)`: the matrix product of two int32 code matrices, at least one of
 * them log-coded, computed with shifts and adds (see `kernels/shift-matmul.ts`).
 * Runs the `LowbitShiftMatMul` kernel where the backend has one (cpu), else composes tf ops.
 *
 * ```ts
 * // activations: 3-bit log codes (unit 2^-4), weights: 4-bit fixed-point codes (unit 2^-3)
 * const y = shiftMatMul(xCodes, wCodes, { aKind: 'pow2', bKind: 'int', scale: 2 ** -4 * 2 ** -3 });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkKnownKeys, checkObject, LowbitConfigError } from '@lowbit/quant-core';
import { LowbitShiftMatMul } from '../kernels/shift-matmul.js';
import '../kernels/register.js';
import { logDomainMatMul } from '../log-accumulate.js';
import type { ShiftOperandKind } from '../shift-operand.js';
import { composedShiftProduct } from './decode-units.js';
import { checkInt32, checkKind, checkScale, type ShiftProductOptions, useKernel } from './shift-options.js';

export interface ShiftMatMulOptions extends ShiftProductOptions {
  /** Code kind of `a` ([M, K]). */
  aKind: ShiftOperandKind;
  /** Code kind of `b` ([K, N]). */
  bKind: ShiftOperandKind;
  /**
   * `'exact'` (default): integer accumulation. `{ log: { fracBits } }`: accumulate in the log
   * domain with a correction table (`logDomainMatMul`; both operands log-coded), approximate.
   */
  accumulation?: 'exact' | { log: { fracBits: number } };
}

export function shiftMatMul(a: tf.Tensor, b: tf.Tensor, options: ShiftMatMulOptions): tf.Tensor2D {
  checkInt32('a', a, 2);
  checkInt32('b', b, 2);
  const what = '{ aKind, bKind, scale?, implementation?, accumulation? }';
  checkKnownKeys('options', checkObject('options', options, what), [
    'aKind',
    'bKind',
    'scale',
    'implementation',
    'accumulation',
  ]);
  const aKind = checkKind('aKind', options.aKind);
  const bKind = checkKind('bKind', options.bKind);
  if (a.shape[1] !== b.shape[0]) {
    throw new LowbitConfigError('b', b, `expected ${a.shape[1]} rows to match the columns of a (shape [${a.shape}])`);
  }
  const n = (b.shape as number[])[1];
  const acc = options.accumulation ?? 'exact';
  if (acc !== 'exact') {
    if (typeof acc !== 'object' || acc === null || typeof acc.log !== 'object' || acc.log === null) {
      throw new LowbitConfigError('accumulation', acc, "expected 'exact' or { log: { fracBits } }");
    }
    return logDomainMatMul(a, b, { aKind, bKind, scale: options.scale, fracBits: acc.log.fracBits });
  }
  const scale = checkScale(options.scale, n);
  if (useKernel(LowbitShiftMatMul, options.implementation)) {
    return tf.engine().runKernel(LowbitShiftMatMul, { a, b }, { aKind, bKind, scale }) as tf.Tensor2D;
  }
  const matMul = (x: tf.Tensor, w: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  return composedShiftProduct(
    { name: 'a', codes: a, kind: aKind },
    { name: 'b', codes: b, kind: bKind },
    scale,
    matMul,
  ) as tf.Tensor2D;
}
