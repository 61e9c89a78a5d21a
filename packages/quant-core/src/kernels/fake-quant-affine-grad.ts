/**
 * Gradient of {@link LowbitFakeQuantAffine}: the straight-through estimator masked to the
 * representable range. `dx = dy` where `(qmin - zp) * step <= x <= (qmax - zp) * step`
 * (bounds included, per channel), 0 elsewhere ({@link maskInRange}). Shared by the fused kernel (through
 * `registerGradient`) and the composed fallback (through `tf.customGrad`), so both give the same
 * gradient on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { maskInRange } from '../ops/mask-in-range.js';
import { type FakeQuantAffineAttrs, LowbitFakeQuantAffine } from './fake-quant-affine-kernel.js';

/** Reshapes per-channel values so they broadcast along `axis` of a rank-`rank` tensor. */
export function channelTensor(values: readonly number[], axis: number, rank: number): tf.Tensor {
  if (axis < 0) return tf.scalar(values[0]);
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = values.length;
  return tf.tensor(values as number[], shape);
}

/** `dy` where `x` lies inside the representable range, 0 outside. */
export function fakeQuantAffineGrad(dy: tf.Tensor, x: tf.Tensor, attrs: FakeQuantAffineAttrs): tf.Tensor {
  if (attrs.axis < 0) {
    // One range: the bounds as numbers (rounded to float32 at each step, as the tensor
    // arithmetic below would) so the mask is a single clip.
    const s = Math.fround(attrs.scale[0]);
    const z = Math.fround(attrs.zeroPoint[0]);
    const toReal = (code: number) =>
      Math.fround(attrs.inverse === 1 ? Math.fround(code - z) / s : Math.fround(code - z) * s);
    return maskInRange(dy, x, toReal(attrs.qmin), toReal(attrs.qmax));
  }
  return tf.tidy(() => {
    const s = channelTensor(attrs.scale, attrs.axis, x.rank);
    const z = channelTensor(attrs.zeroPoint, attrs.axis, x.rank);
    const toReal = (code: number) =>
      attrs.inverse === 1 ? tf.div(tf.sub(tf.scalar(code), z), s) : tf.mul(tf.sub(tf.scalar(code), z), s);
    return maskInRange(dy, x, toReal(attrs.qmin), toReal(attrs.qmax));
  });
}

export const fakeQuantAffineGradConfig: tf.GradConfig = {
  kernelName: LowbitFakeQuantAffine,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    return { x: () => fakeQuantAffineGrad(dy as tf.Tensor, x, attrs as unknown as FakeQuantAffineAttrs) };
  },
};
