/**
 * Argument checks of the exported functions (the public entry points; the registered kernels run
 * the unchecked implementations, their inputs checked by the tfjs op that called them). Each throws
 * `LowbitConfigError(argument, value, 'what is allowed')`. Package-internal: training-kernels
 * imports only `@lowbit/quant-core/errors`, so these few checks live here.
 *
 * ```ts
 * const x = checkTensor4D('conv2dBackpropFilterComposed(x)', input);
 * checkKeys('attrs', attrs, ['strides', 'pad', 'filterShape', 'dataFormat', 'dimRoundingMode']);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import type { Geometry } from './kernels/patches.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A plain object whose keys are all in `known`. */
export function checkKeys(argument: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new LowbitConfigError(argument, value, `expected an object with ${known.join(', ')}`);
  for (const k of Object.keys(value)) {
    if (!known.includes(k))
      throw new LowbitConfigError(`${argument}.${k}`, value[k], `unknown key; known keys: ${known.join(', ')}`);
  }
  return value;
}

/** An integer in [min, max]. */
export function checkInt(argument: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new LowbitConfigError(argument, value, `expected an integer ${range}`);
  }
  return value;
}

export function checkString(argument: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new LowbitConfigError(argument, value, 'expected a non-empty string');
  return value;
}

export function checkFunction<F>(argument: string, value: unknown): F {
  if (typeof value !== 'function') throw new LowbitConfigError(argument, value, 'expected a function');
  return value as F;
}

/** A live float32 tensor of rank 4 (NHWC unless the caller says otherwise). */
export function checkTensor4D(argument: string, value: unknown): tf.Tensor4D {
  if (!(value instanceof tf.Tensor)) throw new LowbitConfigError(argument, value, 'expected a rank-4 float32 tensor');
  if (value.isDisposed) throw new LowbitConfigError(argument, value, 'the tensor is disposed');
  if (value.rank !== 4 || value.dtype !== 'float32') {
    throw new LowbitConfigError(
      argument,
      value,
      `expected a rank-4 float32 tensor, got rank ${value.rank} ${value.dtype}`,
    );
  }
  return value as tf.Tensor4D;
}

/** An array (or typed array) of numbers of exactly `length` entries. */
export function checkValues(argument: string, value: unknown, length: number): ArrayLike<number> {
  const arrayLike = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!arrayLike) throw new LowbitConfigError(argument, value, 'expected an array or typed array of numbers');
  const values = value as ArrayLike<unknown>;
  if (values.length !== length)
    throw new LowbitConfigError(argument, value, `expected ${length} values, got ${values.length}`);
  if (Array.isArray(value) && !value.every((v) => typeof v === 'number'))
    throw new LowbitConfigError(argument, value, 'expected numbers only');
  return value as ArrayLike<number>;
}

/** A shape of `rank` non-negative integers. */
export function checkShape(argument: string, value: unknown, rank: number, min = 0): number[] {
  if (!Array.isArray(value) || value.length !== rank)
    throw new LowbitConfigError(argument, value, `expected ${rank} integers >= ${min}`);
  value.forEach((d, i) => checkInt(`${argument}[${i}]`, d, min));
  return value as number[];
}

/**
 * Filter extent along one axis against the input and its padding. tfjs's 'valid' and 'same'
 * padding always satisfy the first two rules: the top padding is shorter than the filter's extent,
 * and the extent is at most the input plus twice the top padding plus one. (Beyond them every
 * output row would see padding only, and the size of the gradient would not be bounded by the
 * inputs.) Third, the gaps of a dilated filter span at most twice the input (beyond that its
 * taps reach padding only, and 'same' padding would be sized by the dilation, not the input).
 */
export function checkExtent(fn: string, axis: string, input: number, taps: number, dilation: number, pad: number) {
  const extent = (taps - 1) * dilation + 1;
  if ((taps - 1) * (dilation - 1) > 2 * input) {
    throw new LowbitConfigError(
      `${fn}.dilation${axis}`,
      dilation,
      `the gaps of the dilated filter (${taps} taps) span more than twice the input (${input})`,
    );
  }
  if (pad > extent - 1)
    throw new LowbitConfigError(`${fn}.pad${axis}`, pad, `expected at most the filter extent - 1 (${extent - 1})`);
  if (extent > input + 2 * pad + 1) {
    throw new LowbitConfigError(
      `${fn}.filter${axis}`,
      taps,
      `the filter extent ${extent} exceeds the input (${input}) plus twice the padding (${pad}) plus one`,
    );
  }
}

const GEOMETRY_KEYS = [
  'batch',
  'inHeight',
  'inWidth',
  'inChannels',
  'outHeight',
  'outWidth',
  'filterHeight',
  'filterWidth',
  'strideHeight',
  'strideWidth',
  'dilationHeight',
  'dilationWidth',
  'padTop',
  'padLeft',
] as const;

/** A convolution {@link Geometry}: every field an integer, filter, strides and dilations >= 1. */
export function checkGeometry(argument: string, value: unknown): Geometry {
  const g = checkKeys(argument, value, GEOMETRY_KEYS);
  for (const k of GEOMETRY_KEYS) {
    const atLeastOne = /^(filter|stride|dilation|out)/.test(k);
    checkInt(`${argument}.${k}`, g[k], atLeastOne ? 1 : 0);
  }
  const geo = g as unknown as Geometry;
  checkExtent(argument, 'Height', geo.inHeight, geo.filterHeight, geo.dilationHeight, geo.padTop);
  checkExtent(argument, 'Width', geo.inWidth, geo.filterWidth, geo.dilationWidth, geo.padLeft);
  checkOutputs(argument, 'outHeight', geo.outHeight, geo.strideHeight, geo.padTop, geo.inHeight);
  checkOutputs(argument, 'outWidth', geo.outWidth, geo.strideWidth, geo.padLeft, geo.inWidth);
  return geo;
}

/** Every output row starts inside the padded input (so the output count is bounded by the input). */
export function checkOutputs(fn: string, key: string, outputs: number, stride: number, pad: number, input: number) {
  if ((outputs - 1) * stride - pad > input - 1) {
    throw new LowbitConfigError(
      `${fn}.${key}`,
      outputs,
      `expected at most ${Math.floor((input - 1 + pad) / stride) + 1} (input ${input}, stride ${stride}, padding ${pad})`,
    );
  }
}

const PAD_STRINGS = ['valid', 'same'];

/**
 * The attrs of a tfjs convolution gradient kernel (`strides`, `pad`, `dataFormat`,
 * `dimRoundingMode`, `dilations` and a shape key), checked, with the conv info tfjs computes from
 * them (its errors become a LowbitConfigError).
 */
export function checkConvAttrs(
  fn: string,
  attrs: unknown,
  shapeKey: 'filterShape' | 'inputShape',
  depthwise: boolean,
): Record<string, unknown> {
  const known = ['strides', 'pad', 'dimRoundingMode', shapeKey, ...(depthwise ? ['dilations'] : ['dataFormat'])];
  const a = checkKeys(`${fn}(attrs)`, attrs, known);
  const pairOf = (key: string, v: unknown) => {
    if (typeof v === 'number') return checkInt(`${fn}(attrs).${key}`, v, 1);
    if (Array.isArray(v) && v.length === 2) return v.forEach((d, i) => checkInt(`${fn}(attrs).${key}[${i}]`, d, 1));
    throw new LowbitConfigError(`${fn}(attrs).${key}`, v, 'expected a positive integer or a pair of them');
  };
  pairOf('strides', a.strides);
  if (depthwise) pairOf('dilations', a.dilations);
  const pad = a.pad;
  const explicit =
    Array.isArray(pad) &&
    pad.length === 4 &&
    pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0));
  if (!(PAD_STRINGS.includes(pad as string) || (Number.isInteger(pad) && (pad as number) >= 0) || explicit)) {
    throw new LowbitConfigError(
      `${fn}(attrs).pad`,
      pad,
      "expected 'valid', 'same', an integer >= 0 or four [before, after] pairs",
    );
  }
  if (a.dimRoundingMode !== undefined && !['floor', 'round', 'ceil'].includes(a.dimRoundingMode as string)) {
    throw new LowbitConfigError(
      `${fn}(attrs).dimRoundingMode`,
      a.dimRoundingMode,
      "expected 'floor', 'round' or 'ceil'",
    );
  }
  if (!depthwise && a.dataFormat !== undefined && a.dataFormat !== 'NHWC' && a.dataFormat !== 'NCHW') {
    throw new LowbitConfigError(`${fn}(attrs).dataFormat`, a.dataFormat, "expected 'NHWC' or 'NCHW'");
  }
  checkShape(`${fn}(attrs).${shapeKey}`, a[shapeKey], 4, 1);
  return a;
}

/** tfjs's conv info, with its errors (and a filter bigger than the padded input) as LowbitConfigError. */
export function convInfo(
  fn: string,
  attrs: Record<string, unknown>,
  compute: () => tf.backend_util.Conv2DInfo,
): tf.backend_util.Conv2DInfo {
  let info: tf.backend_util.Conv2DInfo;
  try {
    info = compute();
  } catch (e) {
    throw new LowbitConfigError(`${fn}(attrs)`, attrs, `tfjs rejects this convolution: ${(e as Error).message}`);
  }
  if (!(info.outHeight >= 1 && info.outWidth >= 1)) {
    throw new LowbitConfigError(`${fn}(attrs)`, attrs, 'the filter is larger than the padded input');
  }
  checkExtent(`${fn}(attrs)`, 'Height', info.inHeight, info.filterHeight, info.dilationHeight, info.padInfo.top);
  checkExtent(`${fn}(attrs)`, 'Width', info.inWidth, info.filterWidth, info.dilationWidth, info.padInfo.left);
  return info;
}

/** `actual` equals `expected` (a shape); else a LowbitConfigError naming `argument`. */
export function checkShapeIs(argument: string, tensor: tf.Tensor, expected: readonly number[]): void {
  if (tensor.shape.length !== expected.length || tensor.shape.some((d, i) => d !== expected[i])) {
    throw new LowbitConfigError(
      argument,
      tensor,
      `expected shape [${expected.join(', ')}], got [${tensor.shape.join(', ')}]`,
    );
  }
}
