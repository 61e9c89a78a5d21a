/**
 * Test helpers for the quantized layers: build a tfjs layer and a lowbit layer on the same input
 * shape, copy the tfjs weights over, and read tensors as plain arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** A deterministic tensor of `shape` with values in [-amp, amp) (no RNG involved). */
export function ramp(shape: number[], amp = 1, phase = 0): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: size }, (_, i) => amp * Math.sin(1.7 * i + phase + 0.3));
  return tf.tensor(values, shape);
}

/** Builds both layers on `x`, copies `reference`'s weights into `layer`, returns both outputs. */
export function runBoth(
  reference: tfl.layers.Layer,
  layer: tfl.layers.Layer,
  x: tf.Tensor,
): [Float32Array, Float32Array] {
  const a = reference.apply(x) as tf.Tensor;
  layer.apply(x);
  layer.setWeights(reference.getWeights());
  const b = layer.apply(x) as tf.Tensor;
  const out: [Float32Array, Float32Array] = [a.dataSync() as Float32Array, b.dataSync() as Float32Array];
  tf.dispose([a, b]);
  return out;
}
