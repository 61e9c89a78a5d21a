/**
 * Options shared by `shiftMatMul` and `shiftConv2d`, and their validation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOneOf, LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { MAX_HALF_STEPS } from '../kernels/shift-matmul.js';
import { SHIFT_OPERAND_KINDS, type ShiftOperandKind } from '../shift-operand.js';

export interface ShiftProductOptions {
  /**
   * Real value of one output unit (the product of the two operands' unit values): a number, or
   * one per output channel.
   */
  scale?: number | readonly number[];
  /**
   * `'auto'` (default) runs the registered JS-loop kernel when the active backend has one, else
   * the composed fallback; `'fallback'` always composes tf ops (tests compare the two).
   */
  implementation?: 'auto' | 'fallback';
}

export function checkKind(argument: string, kind: unknown): ShiftOperandKind {
  return checkOneOf(argument, kind, SHIFT_OPERAND_KINDS);
}

export function checkInt32(argument: string, t: unknown, rank: number): tf.Tensor {
  if (!(t instanceof tf.Tensor)) throw new LowbitConfigError(argument, t, 'expected a tf.Tensor of int32 codes');
  if (t.rank !== rank)
    throw new LowbitConfigError(argument, t, `expected a tensor of rank ${rank}, got rank ${t.rank}`);
  if (t.dtype !== 'int32')
    throw new LowbitConfigError(argument, t, `expected dtype int32 (integer codes), got ${t.dtype}`);
  return t;
}

/** The scale as a list of float values: one entry, or `channels` entries. */
export function checkScale(scale: unknown, channels: number): number[] {
  const list =
    scale === undefined ? [1] : typeof scale === 'number' ? [scale] : Array.isArray(scale) ? [...scale] : null;
  if (
    list === null ||
    !(list.length === 1 || list.length === channels) ||
    !list.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)
  ) {
    throw new LowbitConfigError(
      'scale',
      scale,
      `expected a finite positive number or ${channels} of them (one per output channel)`,
    );
  }
  return list as number[];
}

export function useKernel(kernelName: string, implementation: unknown): boolean {
  checkOneOf('implementation', implementation ?? 'auto', ['auto', 'fallback'] as const);
  return implementation !== 'fallback' && tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/** The fallback's guard for what the kernels reject while decoding: a log code too large to shift by. */
export function checkCodeRange(argument: string, codes: tf.Tensor, kind: ShiftOperandKind): void {
  if (kind === 'int' || codes.size === 0) return;
  const maxTensor = tf.tidy(() => tf.max(tf.abs(codes)));
  const maxCode = maxTensor.dataSync()[0];
  maxTensor.dispose();
  const limit = kind === 'pow2' ? MAX_HALF_STEPS / 2 + 1 : MAX_HALF_STEPS + 1;
  if (maxCode > limit)
    throw new LowbitDataError(argument, `log code ${maxCode} exceeds the largest ${kind} code ${limit}`);
}
