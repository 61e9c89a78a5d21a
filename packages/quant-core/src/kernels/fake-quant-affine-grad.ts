/**
 * Gradient of {@link LowbitFakeQuantAffine}: the straight-through estimator masked to the
 * representable range. `dx = dy` where `(qmin - zp) * step <= x <= (qmax - zp) * step`
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
    const toReal = (code: number) =>
      attrs.inverse === 1 ? tf.div(tf.sub(tf.scalar(code), z), s) : tf.mul(tf.sub(tf.scalar(code), z), s);
    const lo = toReal(attrs.qmin);
    const hi = toReal(attrs.qmax);
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
