/**
 * Registers this package's kernels (imported once by the package index). A new kernel name, so
 * nothing stock is replaced; registering twice (two copies of the package) is skipped.
 */
import { getGradient, getKernel, registerGradient, registerKernel } from '@tensorflow/tfjs-core';
import { appMulMatMulCpuConfig } from './appmul-matmul-cpu.js';
import { appMulMatMulWasmConfig } from './appmul-matmul-wasm.js';
import { extractPatchesGradConfig, extractPatchesKernelConfigs } from './extract-patches.js';

for (const config of [appMulMatMulCpuConfig, appMulMatMulWasmConfig, ...extractPatchesKernelConfigs]) {
  if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
}
if (!getGradient(extractPatchesGradConfig.kernelName)) registerGradient(extractPatchesGradConfig);
