/**
 * `fakeQuantAffine(x, { scale, zeroPoint, qmin, qmax, axis })`: affine fake quantization, the
 * building block of every linear quantizer.
 *
 * Forward: `(clip(round(x / scale) + zeroPoint, qmin, qmax) - zeroPoint) * scale`, round half to
 * even, in float32. `scale` / `zeroPoint` are numbers (per tensor) or arrays with one entry per
 * channel along `axis` (per channel).
 * Backward: straight-through, masked to the representable range: `dx = dy` where
 * `(qmin - zeroPoint) * scale <= x <= (qmax - zeroPoint) * scale`, else 0.
 *
 * Runs the fused `LowbitFakeQuantAffine` kernel when one is registered for the current backend
 * (cpu: a JS loop), otherwise the composed fallback built from tf ops (any backend). Both give
 * bit-identical values and the same gradient. `x` must be a float32 tensor; NaN elements stay
 * NaN in `fakeQuantAffine` (the integer export, `quantizeAffine`, rejects them).
 *
 * ```ts
 * const y = fakeQuantAffine(x, { scale: 0.1, zeroPoint: 0, qmin: -127, qmax: 127 });
 * const w = fakeQuantAffine(kernel, { scale: [0.1, 0.2], qmin: -7, qmax: 7, axis: 1 }); // per output channel
 * const q = quantizeAffine(x, { scale: 0.1, qmin: -127, qmax: 127 }, { bits: 8, signed: true }); // integer codes
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { fakeQuantAffineGrad, channelTensor } from '../kernels/fake-quant-affine-grad.js';
import { type FakeQuantAffineAttrs, LowbitFakeQuantAffine } from '../kernels/fake-quant-affine-kernel.js';
import { roundHalfEven } from '../rounding.js';
import '../kernels/register.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import { checkFinite, checkInteger, checkKnownKeys, checkObject, checkTensor } from '../validate.js';
import { unaryCustomGrad } from './ste.js';

export interface FakeQuantAffineParams {
  /** Step between levels: one positive number, or one per channel along `axis`. */
  scale?: number | readonly number[];
  /**
   * Instead of `scale`: levels per unit `d = 1 / step` (one, or one per channel). The op then
   * computes `round(x * d)` and `q / d`, so grids like `round(7 w) / 7` are exact: with
   * `scale: 1/7` the float32 rounding of 1/7 moves ties (0.5 / fround(1/7) = 3.4999998).
   */
  inverseScale?: number | readonly number[];
  /** Integer code of the real value 0 (default 0): one, or one per channel. */
  zeroPoint?: number | readonly number[];
  /** Smallest and largest integer code. */
  qmin: number;
  qmax: number;
  /** Channel axis for per-channel `scale` / `zeroPoint` (negative counts from the end). */
  axis?: number;
}

/** Largest code magnitude: integers are exact in float32 up to 2^24. */
const CODE_LIMIT = 2 ** 24;

/** Validates `params` against `x` and returns the kernel attributes (axis -1 = per tensor). */
export function fakeQuantAffineAttrs(
  x: tf.Tensor,
  params: FakeQuantAffineParams,
  name = 'fakeQuantAffine',
): FakeQuantAffineAttrs {
  if (typeof name !== 'string' || name.length === 0)
    throw new LowbitConfigError('name', name, 'expected the name of the calling op');
  checkTensor(`${name} x`, x);
  if (params === null || typeof params !== 'object')
    throw new LowbitConfigError(`${name} params`, params, 'expected { scale, zeroPoint?, qmin, qmax, axis? }');
  checkKnownKeys(`${name} params`, params, ['scale', 'inverseScale', 'zeroPoint', 'qmin', 'qmax', 'axis']);
  const qmin = checkInteger(`${name} qmin`, params.qmin, -CODE_LIMIT, CODE_LIMIT);
  const qmax = checkInteger(`${name} qmax`, params.qmax, -CODE_LIMIT, CODE_LIMIT);
  if (!(qmin < qmax)) throw new LowbitConfigError(`${name} qmax`, qmax, `expected qmax > qmin (${qmin})`);
  const inverse = params.inverseScale !== undefined;
  if (inverse === (params.scale !== undefined))
    throw new LowbitConfigError(`${name} scale`, params.scale, 'expected exactly one of scale and inverseScale');
  const given = inverse ? params.inverseScale : params.scale;
  const scaleName = inverse ? 'inverseScale' : 'scale';
  const scale = typeof given === 'number' ? [given] : given;
  const zp =
    params.zeroPoint === undefined ? [0] : typeof params.zeroPoint === 'number' ? [params.zeroPoint] : params.zeroPoint;
  if (!Array.isArray(scale) || scale.length === 0)
    throw new LowbitConfigError(
      `${name} ${scaleName}`,
      given,
      'expected a positive number or a non-empty array of them',
    );
  if (!Array.isArray(zp) || zp.length === 0)
    throw new LowbitConfigError(
      `${name} zeroPoint`,
      params.zeroPoint,
      'expected an integer or a non-empty array of them',
    );
  scale.forEach((s, i) => checkFinite(`${name} ${scaleName}[${i}]`, s, { min: 0, exclusiveMin: true }));
  zp.forEach((z, i) => checkInteger(`${name} zeroPoint[${i}]`, z, -CODE_LIMIT, CODE_LIMIT));
  const perChannel = scale.length > 1 || zp.length > 1 || params.axis !== undefined;
  let axis = -1;
  if (perChannel) {
    if (params.axis === undefined)
      throw new LowbitConfigError(
        `${name} axis`,
        undefined,
        'required when scale or zeroPoint has one entry per channel',
      );
    const a = checkInteger(`${name} axis`, params.axis, -x.rank, Math.max(0, x.rank - 1));
    if (x.rank === 0) throw new LowbitConfigError(`${name} axis`, params.axis, 'a scalar has no channel axis');
    axis = a < 0 ? a + x.rank : a;
    const channels = x.shape[axis];
    const fit = (arr: readonly number[]) => (arr.length === 1 ? new Array<number>(channels).fill(arr[0]) : [...arr]);
    if (scale.length !== 1 && scale.length !== channels)
      throw new LowbitConfigError(`${name} ${scaleName}`, given, `expected 1 or ${channels} values (x.shape[${axis}])`);
    if (zp.length !== 1 && zp.length !== channels)
      throw new LowbitConfigError(
        `${name} zeroPoint`,
        params.zeroPoint,
        `expected 1 or ${channels} values (x.shape[${axis}])`,
      );
    return { scale: fit(scale), inverse: inverse ? 1 : 0, zeroPoint: fit(zp), qmin, qmax, axis };
  }
  return { scale: [scale[0]], inverse: inverse ? 1 : 0, zeroPoint: [zp[0]], qmin, qmax, axis };
}

function composedForward(x: tf.Tensor, attrs: FakeQuantAffineAttrs): tf.Tensor {
  return tf.tidy(() => {
    const s = channelTensor(attrs.scale, attrs.axis, x.rank);
    const z = channelTensor(attrs.zeroPoint, attrs.axis, x.rank);
    const inverse = attrs.inverse === 1;
    const q = tf.clipByValue(tf.add(tf.round(inverse ? tf.mul(x, s) : tf.div(x, s)), z), attrs.qmin, attrs.qmax);
    return inverse ? tf.div(tf.sub(q, z), s) : tf.mul(tf.sub(q, z), s);
  });
}

function asFloat(x: tf.Tensor, name: string): tf.Tensor {
  return checkTensor(`${name} x`, x, { dtype: 'float32' });
}

/** The composed fallback (tf ops only, any backend), with the masked straight-through gradient. */
export function fakeQuantAffineComposed(x: tf.Tensor, params: FakeQuantAffineParams): tf.Tensor {
  asFloat(x, 'fakeQuantAffine');
  const attrs = fakeQuantAffineAttrs(x, params);
  return unaryCustomGrad((input, save) => {
    save([input]);
    return { value: composedForward(input, attrs), gradFunc: (dy, saved) => fakeQuantAffineGrad(dy, saved[0], attrs) };
  })(x);
}

/** True when the fused kernel is registered for the active backend. */
export function hasFusedFakeQuantAffine(): boolean {
  return tf.getKernel(LowbitFakeQuantAffine, tf.getBackend()) !== undefined;
}

/** Affine fake quantization: fused kernel when available, composed fallback otherwise. */
export function fakeQuantAffine(x: tf.Tensor, params: FakeQuantAffineParams): tf.Tensor {
  asFloat(x, 'fakeQuantAffine');
  if (!hasFusedFakeQuantAffine()) return fakeQuantAffineComposed(x, params);
  const attrs = fakeQuantAffineAttrs(x, params);
  return tf.engine().runKernel(LowbitFakeQuantAffine, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * Integer export of {@link fakeQuantAffine}: codes `clip(round(x / scale) + zeroPoint, qmin, qmax)`
 * with the float32 scales (or `1 / inverseScale`), so `quantizeAffine(x, p, o).dequantize()` equals
 * `fakeQuantAffine(x, p)` bit for bit. `bits` / `signed` must hold [qmin, qmax].
 */
export function quantizeAffine(
  x: tf.Tensor,
  params: FakeQuantAffineParams,
  storage: { bits: number; signed: boolean },
): QuantizedTensor {
  asFloat(x, 'quantizeAffine');
  checkKnownKeys('quantizeAffine storage', checkObject('quantizeAffine storage', storage, '{ bits, signed }'), [
    'bits',
    'signed',
  ]);
  const attrs = fakeQuantAffineAttrs(x, params, 'quantizeAffine');
  const values = x.dataSync();
  const codes = new Int32Array(values.length);
  const s = attrs.scale.map((v) => Math.fround(v));
  let inner = 1;
  if (attrs.axis >= 0) for (let d = attrs.axis + 1; d < x.rank; d++) inner *= x.shape[d];
  const channels = s.length;
  const inverse = attrs.inverse === 1;
  for (let i = 0; i < values.length; i++) {
    const c = attrs.axis < 0 ? 0 : Math.floor(i / inner) % channels;
    const q = roundHalfEven(Math.fround(inverse ? values[i] * s[c] : values[i] / s[c])) + attrs.zeroPoint[c];
    if (Number.isNaN(q))
      throw new LowbitConfigError('quantizeAffine x', x, `expected finite values; element ${i} is NaN`);
    codes[i] = Math.min(attrs.qmax, Math.max(attrs.qmin, q));
  }
  return new QuantizedTensor({
    codes,
    shape: [...x.shape],
    bits: storage.bits,
    signed: storage.signed,
    // 1 / d in double: the dequantized float32 then equals the float32 division q / d (the
    // double error is far below float32 resolution for integer q and d < 2^24).
    scale: inverse ? s.map((d) => 1 / d) : s,
    zeroPoint: attrs.zeroPoint,
    axis: attrs.axis < 0 ? undefined : attrs.axis,
  });
}
