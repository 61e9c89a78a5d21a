/**
 * `shiftConv2d(x, filter, options)`: a 2-D convolution of int32 code tensors (NHWC input
 * [B, H, W, Cin], filter [fh, fw, Cin, Cout]), at least one of them log-coded, computed with
 * shifts and adds (see `kernels/shift-conv2d-kernel.ts`). Runs the `LowbitShiftConv2D` kernel
 * where the backend has one (cpu), else composes tf ops.
 *
 * ```ts
 * const y = shiftConv2d(xCodes, wCodes, { xKind: 'pow2', filterKind: 'pow2', strides: 1, pad: 'same', scale: 2 ** -10 });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkOneOf, LowbitConfigError } from '@lowbit/quant-core';
import { LowbitShiftConv2D } from '../kernels/shift-conv2d-kernel.js';
import type { ShiftOperandKind } from '../shift-operand.js';
import { combineProducts, decodeUnits, disposeUnits } from './decode-units.js';
import { checkCodeRange, checkInt32, checkKind, checkScale, type ShiftProductOptions, useKernel } from './shift-options.js';

export interface ShiftConv2DOptions extends ShiftProductOptions {
  xKind: ShiftOperandKind;
  filterKind: ShiftOperandKind;
  /** Stride, one number or [strideH, strideW]. Default 1. */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same', as tf.conv2d. */
  pad?: 'valid' | 'same';
}

export function shiftConv2d(x: tf.Tensor, filter: tf.Tensor, options: ShiftConv2DOptions): tf.Tensor4D {
  checkInt32('x', x, 4);
  checkInt32('filter', filter, 4);
  const xs = x.shape as number[];
  const fs = filter.shape as number[];
  const xKind = checkKind('xKind', options?.xKind);
  const filterKind = checkKind('filterKind', options.filterKind);
  if (xs[3] !== fs[2]) {
    throw new LowbitConfigError('filter', filter, `expected ${x.shape[3]} input channels (filter.shape[2]) to match x (shape [${x.shape}])`);
  }
  const s = options.strides ?? 1;
  const strides = (typeof s === 'number' ? [s, s] : s) as [number, number];
  if (!Array.isArray(strides) || strides.length !== 2) throw new LowbitConfigError('strides', s, 'expected a positive integer or [strideH, strideW]');
  strides.forEach((v) => checkInteger('strides', v, 1, 1 << 16));
  const pad = checkOneOf('pad', options.pad ?? 'valid', ['valid', 'same'] as const);
  if (pad === 'valid' && (fs[0] > xs[1] || fs[1] > xs[2])) {
    throw new LowbitConfigError('filter', filter, `expected a filter no larger than the input (${xs[1]}x${xs[2]}) with pad 'valid'`);
  }
  const scale = checkScale(options.scale, fs[3]);
  if (useKernel(LowbitShiftConv2D, options.implementation)) {
    return tf.engine().runKernel(LowbitShiftConv2D, { x, filter }, { xKind, filterKind, strides, pad, scale }) as tf.Tensor4D;
  }
  checkCodeRange('x', x, xKind);
  checkCodeRange('filter', filter, filterKind);
  const ux = decodeUnits(x, xKind);
  const uf = decodeUnits(filter, filterKind);
  const st = scale.length === 1 ? tf.scalar(scale[0]) : tf.tensor1d(scale);
  const y = combineProducts(ux, uf, (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), st);
  disposeUnits(ux);
  disposeUnits(uf);
  st.dispose();
  return y as tf.Tensor4D;
}
