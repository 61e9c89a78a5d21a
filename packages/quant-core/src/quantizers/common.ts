/**
 * Pieces shared by the quantizers in this folder: config and call-option checks, the
 * straight-through helpers with a value mask, and the sign-times-mean binarisation (BWN scale)
 * used by WRPN and DoReFa at 1 bit.
 *
 * Every quantizer's `call(x, options)` takes a float32 tensor (anything else: LowbitConfigError
 * naming `x`); NaN elements come out NaN, or throw where the quantizer reads a range from the data
 * (uniform min/max, log 'auto' FSR); finite input never gives NaN or Infinity.
 *
 * ```ts
 * const bits = checkBits(config.bits ?? 4);               // integer 1..24, else LowbitConfigError
 * const y = maskedSte(x, (t) => tf.round(t), 0, 1);       // round forward, dy only where 0 <= x <= 1
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { maskInRange } from '../ops/mask-in-range.js';
import { unaryCustomGrad } from '../ops/ste.js';
import { QuantizedTensor } from '../quantized-tensor.js';
import type { QuantizerCallOptions } from '../quantizer.js';
import { checkFunction, checkInteger, checkKnownKeys, checkTensor, isTensorLike } from '../validate.js';

/**
 * Largest bit width a quantizer accepts: integer codes must stay exact in float32 (2^24), where
 * fake quantization runs. Wider than that, float32 itself is the better "quantizer".
 */
export const MAX_QUANTIZER_BITS = 24;

/** A bit width: integer in [min, MAX_QUANTIZER_BITS]; 0, 33, 2.5, NaN throw LowbitConfigError. */
export function checkBits(value: unknown, min = 1, argument = 'bits'): number {
  return checkInteger(argument, value, min, MAX_QUANTIZER_BITS);
}

/** Checks that `config` is a plain object with only `known` keys and returns it. */
export function checkConfig<T extends object>(
  className: string,
  config: unknown,
  known: readonly string[],
): Partial<T> {
  if (typeof className !== 'string' || className.length === 0) {
    throw new LowbitConfigError('className', className, 'expected the class name (a non-empty string)');
  }
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config) || isTensorLike(config)) {
    throw new LowbitConfigError(`${className} config`, config, 'expected an object');
  }
  checkKnownKeys(className, config, known);
  return config as Partial<T>;
}

/** `options.training` of a quantizer's `call`, checked: absent or null options mean inference. */
export function checkCallOptions(options: QuantizerCallOptions | null | undefined): boolean {
  if (options === undefined || options === null) return false;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new LowbitConfigError('options', options, 'expected { training?: boolean }');
  }
  const t = options.training;
  if (t !== undefined && typeof t !== 'boolean')
    throw new LowbitConfigError('options.training', t, 'expected true or false');
  return t === true;
}

/** Forward `forward(x)`; backward `dy` where `lo <= x <= hi`, 0 elsewhere. */
export function maskedSte(x: tf.Tensor, forward: (x: tf.Tensor) => tf.Tensor, lo: number, hi: number): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32' });
  checkFunction('forward', forward);
  if (typeof lo !== 'number' || Number.isNaN(lo)) throw new LowbitConfigError('lo', lo, 'expected a number');
  if (typeof hi !== 'number' || !(hi >= lo)) throw new LowbitConfigError('hi', hi, `expected a number >= lo (${lo})`);
  return unaryCustomGrad((input, save) => {
    save([input]);
    return {
      value: forward(input),
      gradFunc: (dy, saved) => maskInRange(dy, saved[0], lo, hi),
    };
  })(x);
}

/** `x >= 0 ? +1 : -1` as a float tensor (no zero, as binary weights need). */
export function signNoZero(x: tf.Tensor): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32' });
  return tf.tidy(() => tf.where(tf.greaterEqual(x, 0), tf.onesLike(x), tf.neg(tf.onesLike(x))));
}

/** BWN binarisation without gradient handling: `sign(x) * mean|x|` (sign of 0 is +1). */
export function signTimesMeanAbs(x: tf.Tensor): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32' });
  return tf.tidy(() => tf.mul(signNoZero(x), tf.mean(tf.abs(x))));
}

/**
 * Integer export of {@link signTimesMeanAbs}: codes +-1 (2-bit signed storage; a bit packer keeps
 * only the sign) with scale `mean|x|` as float32. All-zero input gives codes 0 and scale 1.
 */
export function quantizeSignTimesMeanAbs(x: tf.Tensor): QuantizedTensor {
  checkTensor('x', x, { dtype: 'float32' });
  const v = x.dataSync();
  let sum = 0;
  const m = tf.tidy(() => tf.mean(tf.abs(x)).dataSync()[0]);
  const codes = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    sum += Math.abs(v[i]);
    codes[i] = m === 0 ? 0 : v[i] >= 0 ? 1 : -1;
  }
  if (!Number.isFinite(sum)) throw new LowbitConfigError('x', x, 'expected finite values');
  return new QuantizedTensor({ codes, shape: [...x.shape], bits: 2, signed: true, scale: [m === 0 ? 1 : m] });
}

/** Rejects non-tensor or non-float32 input of a quantizer. */
export function checkFloatTensor(argument: string, x: unknown): tf.Tensor {
  return checkTensor(argument, x, { dtype: 'float32' });
}
