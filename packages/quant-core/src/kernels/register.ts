/**
 * The one place where quant-core registers its kernels and their gradients. Imported for its
 * side effect by the ops that use the kernels (and by the package index), so a user never has to
 * call anything. Registration is idempotent.
 *
 * Registered:
 * - `LowbitFakeQuantAffine` for `cpu` (a branch-free JS loop, 7-10x the composed ops) and for
 *   `wasm` (4 of the backend's SIMD kernels where the zero point is 0, 1.1-1.7x the composed
 *   fallback; a JS loop measured 0.3-0.4x there), and its gradient (every backend).
 *   See bench/fake-quant.bench.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantAffineCpuConfig } from './fake-quant-affine-cpu.js';
import { fakeQuantAffineWasmConfig } from './fake-quant-affine-wasm.js';
import { fakeQuantAffineGradConfig } from './fake-quant-affine-grad.js';

const kernels: tf.KernelConfig[] = [fakeQuantAffineCpuConfig, fakeQuantAffineWasmConfig];
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
