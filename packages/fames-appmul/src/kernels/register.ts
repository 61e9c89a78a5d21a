/**
 * Registers this package's kernels (imported once by the package index). A new kernel name, so
 * nothing stock is replaced; registering twice (two copies of the package) is skipped.
 */
import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import { appMulMatMulCpuConfig } from './appmul-matmul-cpu.js';
import { appMulMatMulWasmConfig } from './appmul-matmul-wasm.js';

for (const config of [appMulMatMulCpuConfig, appMulMatMulWasmConfig]) {
  if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
}
