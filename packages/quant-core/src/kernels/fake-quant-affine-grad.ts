/**
 * Gradient of {@link LowbitFakeQuantAffine}: the straight-through estimator masked to the
 * representable range. `dx = dy` where `(qmin - zp) * scale <= x <= (qmax - zp) * scale`
 * (bounds included, per channel), 0 elsewhere. Shared by the fused kernel (through
 * `registerGradient`) and the composed fallback (through `tf.customGrad`), so both give the same
 * gradient on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
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
  return tf.tidy(() => {
    const s = channelTensor(attrs.scale, attrs.axis, x.rank);
    const z = channelTensor(attrs.zeroPoint, attrs.axis, x.rank);
    const lo = tf.mul(tf.sub(tf.scalar(attrs.qmin), z), s);
    const hi = tf.mul(tf.sub(tf.scalar(attrs.qmax), z), s);
    const inside = tf.logicalAnd(tf.greaterEqual(x, lo), tf.lessEqual(x, hi));
    return tf.where(inside, dy, tf.zerosLike(dy));
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
