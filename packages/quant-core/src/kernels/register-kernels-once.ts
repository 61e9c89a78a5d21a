/**
 * `registerKernelsOnce`: how every lowbit package (but training-kernels, which replaces stock
 * kernels and stands alone) registers its kernels and gradients. Each package has one
 * `kernels/register.ts` that calls it with its configs at import; registration is idempotent and
 * never replaces a kernel someone else registered.
 *
 * ```ts
 * registerKernelsOnce([shiftMatMulCpuConfig, shiftMatMulWasmConfig], [shiftMatMulGradConfig]);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';

export function registerKernelsOnce(
  kernels: readonly tf.KernelConfig[],
  gradients: readonly tf.GradConfig[] = [],
): void {
  for (const config of kernels) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  for (const config of gradients) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
