/**
 * Straight-through-estimator (STE) ops, built on `tf.customGrad` (tfjs has no stopGradient).
 * Each is an ordinary tfjs op usable in any model or custom training loop. Like all lowbit
 * library code they use functional ops (`tf.sum(x)`), never chained ones (`x.sum()`), which
 * only exist when the full `@tensorflow/tfjs` bundle is imported.
 *
 * - `roundSte(x)`: forward `round(x)` (half to even, as `tf.round`); backward `dy` unchanged.
 * - `floorSte(x)`: forward `floor(x)`; backward `dy` unchanged.
 * - `clipSte(x, lo, hi)`: forward `clip(x, lo, hi)`; backward `dy` inside [lo, hi], 0 outside
 *   (the ordinary clip gradient, spelled out so it is the same on every backend).
 * - `signSte(x)`: forward `x >= 0 ? 1 : -1` (no zero, as binary nets need); backward `dy` where
 *   |x| <= 1, 0 outside (the clipped STE of BinaryConnect / Larq's `ste_sign`).
 * - `straightThrough(x, forward)`: forward `forward(x)`, backward `dy` unchanged: the general form.
 *
 * Inputs must be float32 tensors (anything else throws a `LowbitConfigError` naming `x`); NaN in
 * gives NaN out, as the tfjs op each one wraps.
 *
 * ```ts
 * const y = roundSte(tf.tensor([0.4, 1.6]));       // [0, 2]
 * tf.grad((x) => tf.sum(roundSte(x)))(tf.tensor([0.4])); // [1]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';
import { checkFunction, checkTensor } from '../validate.js';
import { maskInRange } from './mask-in-range.js';

/** What a unary custom-gradient function returns: the value and its gradient function. */
export interface UnaryGradResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor;
}

/**
 * A typed wrapper of `tf.customGrad` for one input: `f(x, save)` returns the value and the
 * gradient. A value that is the input object itself is cloned (otherwise tfjs silently drops
 * the custom gradient).
 */
export function unaryCustomGrad(
  f: (x: tf.Tensor, save: tf.GradSaveFunc) => UnaryGradResult,
): (x: tf.Tensor) => tf.Tensor {
  checkFunction('f', f);
  const g = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const result = f(x, save);
    return result.value === x ? { ...result, value: result.value.clone() } : result;
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (x) => g(checkTensor('x', x, { dtype: 'float32' }));
}

/**
 * The masked straight-through gradient, `dy` where `lo <= x <= hi` and 0 elsewhere, for custom
 * gradients of your own (bounds are numbers, or float32 tensors that broadcast against `x` for
 * per-channel ranges): `maskInRange` (ops/mask-in-range.ts) with its arguments checked.
 *
 * ```ts
 * passInRange(tf.tensor([1, 2, 3]), tf.tensor([-2, 0.5, 3]), -1, 1); // [0, 2, 0]
 * ```
 */
export function passInRange(dy: tf.Tensor, x: tf.Tensor, lo: number | tf.Tensor, hi: number | tf.Tensor): tf.Tensor {
  checkTensor('dy', dy, { dtype: 'float32' });
  checkTensor('x', x, { dtype: 'float32' });
  if (!tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new LowbitConfigError('dy.shape', dy.shape, `expected the shape of x, [${x.shape.join(', ')}]`);
  }
  if (typeof lo === 'number' && typeof hi === 'number') checkClipBounds(lo, hi);
  else {
    if (typeof lo !== 'number') checkTensor('lo', lo, { dtype: 'float32' });
    else if (Number.isNaN(lo)) throw new LowbitConfigError('lo', lo, 'expected a number or a float32 tensor');
    if (typeof hi !== 'number') checkTensor('hi', hi, { dtype: 'float32' });
    else if (Number.isNaN(hi)) throw new LowbitConfigError('hi', hi, 'expected a number or a float32 tensor');
  }
  return maskInRange(dy, x, lo, hi);
}

/** Forward `forward(x)`, backward passes `dy` through unchanged. */
export function straightThrough(x: tf.Tensor, forward: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32' });
  checkFunction('forward', forward);
  return unaryCustomGrad((input) => ({ value: forward(input), gradFunc: (dy) => dy.clone() }))(x);
}

/** `round(x)` forward (half to even), identity gradient. */
export function roundSte(x: tf.Tensor): tf.Tensor {
  return straightThrough(x, (t) => tf.round(t));
}

/** `floor(x)` forward, identity gradient. */
export function floorSte(x: tf.Tensor): tf.Tensor {
  return straightThrough(x, (t) => tf.floor(t));
}

/** `clip(x, lo, hi)` forward; gradient `dy` inside [lo, hi] and 0 outside. */
export function clipSte(x: tf.Tensor, lo: number, hi: number): tf.Tensor {
  checkTensor('x', x, { dtype: 'float32' });
  checkClipBounds(lo, hi);
  const f = unaryCustomGrad((input, save) => {
    save([input]);
    return {
      value: tf.clipByValue(input, lo, hi),
      gradFunc: (dy, saved) => maskInRange(dy, saved[0], lo, hi),
    };
  });
  return f(x);
}

/** `x >= 0 ? 1 : -1` forward; gradient `dy` where |x| <= 1, 0 elsewhere. */
export function signSte(x: tf.Tensor): tf.Tensor {
  const f = unaryCustomGrad((input, save) => {
    save([input]);
    return {
      value: tf.tidy(() => tf.where(tf.greaterEqual(input, 0), tf.onesLike(input), tf.neg(tf.onesLike(input)))),
      gradFunc: (dy, saved) => tf.tidy(() => tf.where(tf.lessEqual(tf.abs(saved[0]), 1), dy, tf.zerosLike(dy))),
    };
  });
  return f(x);
}

/** `lo <= hi`, both numbers (+-Infinity allowed: an open side). */
function checkClipBounds(lo: unknown, hi: unknown): void {
  if (typeof lo !== 'number' || Number.isNaN(lo)) throw new LowbitConfigError('lo', lo, 'expected a number');
  if (typeof hi !== 'number' || Number.isNaN(hi)) throw new LowbitConfigError('hi', hi, 'expected a number');
  if (!(lo <= hi)) throw new LowbitConfigError('hi', hi, `expected hi >= lo (${lo})`);
}
