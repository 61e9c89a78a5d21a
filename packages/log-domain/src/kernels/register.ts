/**
 * The one place this package registers its kernels with tfjs. Called when the package is
 * imported; registering twice is harmless. New kernel names (not replacements of stock kernels),
 * so registering after the backend has initialised is fine.
 *
 * ```ts
 * import { registerLogDomainKernels } from '@lowbit/log-domain';
 * registerLogDomainKernels(); // already done on import
 * ```
 */
import { getKernel, type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { shiftConv2DCpuConfig } from './shift-conv2d-cpu.js';
import { shiftMatMulCpuConfig } from './shift-matmul-cpu.js';

const configs: KernelConfig[] = [shiftMatMulCpuConfig, shiftConv2DCpuConfig];

export function registerLogDomainKernels(): void {
  for (const config of configs) {
    if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
  }
}
