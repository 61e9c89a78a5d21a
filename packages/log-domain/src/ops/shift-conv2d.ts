/**
 * `shiftConv2d(x, filter, options)`: a 2-D convolution of int32 code tensors (NHWC input
 * [B, H, W, Cin], filter [fh, fw, Cin, Cout]), at least one of them log-coded, computed with
 * shifts and adds (see `kernels/shift-conv2d.ts`). Runs the `LowbitShiftConv2D` kernel
 * where the backend has one (cpu), else composes tf ops. A dilation rate above 1 runs the same
 * kernel on the dilated filter (zero codes between the taps), which is what a dilated
 * convolution computes; as in tf.conv2d, strides and dilations cannot both exceed 1.
 *
 * ```ts
 * const opts = { xKind: 'pow2', filterKind: 'pow2', strides: 1, pad: 'same', scale: 2 ** -10 } as const;
 * const y = shiftConv2d(xCodes, wCodes, opts);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkKnownKeys, checkObject, checkOneOf, LowbitConfigError } from '@lowbit/quant-core';
import { LowbitShiftConv2D } from '../kernels/shift-conv2d.js';
import '../kernels/register.js';
import type { ShiftOperandKind } from '../shift-operand.js';
import { composedShiftProduct } from './decode-units.js';
import { checkInt32, checkKind, checkScale, type ShiftProductOptions, useKernel } from './shift-options.js';

export interface ShiftConv2DOptions extends ShiftProductOptions {
  xKind: ShiftOperandKind;
  filterKind: ShiftOperandKind;
  /** Stride, one number or [strideH, strideW]. Default 1. */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same', as tf.conv2d. */
  pad?: 'valid' | 'same';
  /** Dilation rate, one number or [rateH, rateW]. Default 1. */
  dilations?: number | [number, number];
}

/** A pair of positive integers from `n` or `[a, b]`. */
export function checkPair(argument: string, value: number | readonly number[]): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new LowbitConfigError(argument, value, `expected a positive integer or a pair of them`);
  }
  return [checkInteger(argument, pair[0], 1, 1 << 16), checkInteger(argument, pair[1], 1, 1 << 16)];
}

/** Filter codes [fh, fw, cin, cout] with `rate - 1` zero codes between taps (a dilated filter). */
export function dilateFilter(filter: tf.Tensor, rate: readonly [number, number]): tf.Tensor {
  const [fh, fw, cin, cout] = filter.shape as number[];
  const [rh, rw] = rate;
  const dh = (fh - 1) * rh + 1;
  const dw = (fw - 1) * rw + 1;
  const src = filter.dataSync();
  const out = new Int32Array(dh * dw * cin * cout);
  const inner = cin * cout;
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++)
      out.set(src.subarray((y * fw + x) * inner, (y * fw + x + 1) * inner), (y * rh * dw + x * rw) * inner);
  }
  return tf.tensor4d(out, [dh, dw, cin, cout], 'int32');
}

export function shiftConv2d(x: tf.Tensor, filter: tf.Tensor, options: ShiftConv2DOptions): tf.Tensor4D {
  checkInt32('x', x, 4);
  checkInt32('filter', filter, 4);
  const xs = x.shape as number[];
  const fs = filter.shape as number[];
  const what = '{ xKind, filterKind, strides?, pad?, dilations?, scale? }';
  checkKnownKeys('options', checkObject('options', options, what), [
    'xKind',
    'filterKind',
    'strides',
    'pad',
    'dilations',
    'scale',
    'implementation',
  ]);
  const xKind = checkKind('xKind', options.xKind);
  const filterKind = checkKind('filterKind', options.filterKind);
  if (xs[3] !== fs[2]) {
    throw new LowbitConfigError(
      'filter',
      filter,
      `expected ${x.shape[3]} input channels (filter.shape[2]) to match x (shape [${x.shape}])`,
    );
  }
  const strides = checkPair('strides', options.strides ?? 1);
  const dilations = checkPair('dilations', options.dilations ?? 1);
  const dilated = dilations[0] > 1 || dilations[1] > 1;
  if (dilated && (strides[0] > 1 || strides[1] > 1)) {
    throw new LowbitConfigError(
      'dilations',
      options.dilations,
      'strides and dilations cannot both exceed 1 (as in tf.conv2d)',
    );
  }
  if (dilated) {
    const wide = dilateFilter(filter, dilations);
    const y = shiftConv2d(x, wide, { ...options, strides, dilations: 1 });
    wide.dispose();
    return y;
  }
  const pad = checkOneOf('pad', options.pad ?? 'valid', ['valid', 'same'] as const);
  if (pad === 'valid' && (fs[0] > xs[1] || fs[1] > xs[2])) {
    throw new LowbitConfigError(
      'filter',
      filter,
      `expected a filter no larger than the input (${xs[1]}x${xs[2]}) with pad 'valid'`,
    );
  }
  const scale = checkScale(options.scale, fs[3]);
  if (useKernel(LowbitShiftConv2D, options.implementation)) {
    return tf
      .engine()
      .runKernel(LowbitShiftConv2D, { x, filter }, { xKind, filterKind, strides, pad, scale }) as tf.Tensor4D;
  }
  const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad);
  const xCodes = { name: 'x', codes: x, kind: xKind };
  return composedShiftProduct(xCodes, { name: 'filter', codes: filter, kind: filterKind }, scale, conv) as tf.Tensor4D;
}
