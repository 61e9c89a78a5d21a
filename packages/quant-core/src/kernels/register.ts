/**
 * The one place where quant-core registers its kernels and their gradients. Imported for its
 * side effect by the ops that use the kernels (and by the package index), so a user never has to
 * call anything. Registration is idempotent.
 *
 * Registered:
 * - `LowbitFakeQuantAffine` for `cpu` (JS loop) and its gradient (every backend).
 *   Not for `wasm`: measured, composed tfjs ops beat a JS loop there (bench/fake-quant.bench.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantAffineCpuConfig } from './fake-quant-affine-cpu.js';
import { fakeQuantAffineGradConfig } from './fake-quant-affine-grad.js';

const kernels: tf.KernelConfig[] = [fakeQuantAffineCpuConfig];
const gradients: tf.GradConfig[] = [fakeQuantAffineGradConfig];

/** Registers every quant-core kernel and gradient not yet registered. Safe to call repeatedly. */
export function registerLowbitCoreKernels(): void {
  for (const config of kernels) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  for (const config of gradients) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}

registerLowbitCoreKernels();
