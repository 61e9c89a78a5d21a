// Helpers for the kernel tests (not exported by the package).
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { registerTrainingKernels, restoreStockKernels, type TrainingBackend } from './register.js';

/** Runs a kernel by name with the stock kernels registered. */
export function runStock(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: object,
  backend: TrainingBackend = 'cpu',
): Float32Array {
  restoreStockKernels({ backends: [backend] });
  return tf.tidy(() => tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor).dataSync() as Float32Array;
}

/** Runs a kernel by name with our kernels registered, then restores the stock ones. */
export function runOurs(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: object,
  backend: TrainingBackend = 'cpu',
): { values: Float32Array; shape: number[] } {
  registerTrainingKernels({ backends: [backend] });
  try {
    const out = tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor;
    const result = { values: out.dataSync() as Float32Array, shape: out.shape };
    out.dispose();
    return result;
  } finally {
    restoreStockKernels({ backends: [backend] });
  }
}

/** Every |actual - expected| within float32 rounding of sums of products: 1e-5 x (1 + max |expected|) x sqrt(terms). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, terms = 100): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const tol = 1e-5 * scale * Math.sqrt(terms);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

export function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}
