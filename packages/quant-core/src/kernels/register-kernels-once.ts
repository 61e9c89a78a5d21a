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
import { LowbitConfigError } from '../errors.js';

const isName = (v: unknown) => typeof v === 'string' && v.length > 0;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * Registers each kernel and gradient config not registered yet. Anything but arrays of configs
 * (a kernel needs `kernelName`, `backendName` and a `kernelFunc`, a gradient `kernelName` and a
 * `gradFunc`) throws {@link LowbitConfigError} before anything is registered.
 */
export function registerKernelsOnce(
  kernels: readonly tf.KernelConfig[],
  gradients: readonly tf.GradConfig[] = [],
): void {
  if (!Array.isArray(kernels)) throw new LowbitConfigError('kernels', kernels, 'expected an array of kernel configs');
  if (!Array.isArray(gradients))
    throw new LowbitConfigError('gradients', gradients, 'expected an array of gradient configs');
  kernels.forEach((k: unknown, i) => {
    if (!isObject(k) || !isName(k.kernelName) || !isName(k.backendName) || typeof k.kernelFunc !== 'function') {
      throw new LowbitConfigError(`kernels[${i}]`, k, 'expected { kernelName, backendName, kernelFunc }');
    }
  });
  gradients.forEach((g: unknown, i) => {
    if (!isObject(g) || !isName(g.kernelName) || typeof g.gradFunc !== 'function') {
      throw new LowbitConfigError(`gradients[${i}]`, g, 'expected { kernelName, gradFunc }');
    }
  });
  for (const config of kernels) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  for (const config of gradients) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
