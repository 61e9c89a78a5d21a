/**
 * The stock kernels our registrations replaced, so a replacement can delegate to the original
 * (BatchMatMul) and `restoreStockKernels` can put it back.
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';

const replaced = new Map<string, KernelConfig | undefined>();

export const kernelKey = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

export function rememberStock(kernelName: string, backendName: string, config: KernelConfig | undefined): void {
  replaced.set(kernelKey(kernelName, backendName), config);
}

export function hasStock(kernelName: string, backendName: string): boolean {
  return replaced.has(kernelKey(kernelName, backendName));
}

/** The stock kernel that was registered before ours (undefined if none was, or ours is not registered). */
export function stockKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  return replaced.get(kernelKey(kernelName, backendName));
}

export function forgetStock(kernelName: string, backendName: string): void {
  replaced.delete(kernelKey(kernelName, backendName));
}
