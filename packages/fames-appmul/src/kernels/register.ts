/**
 * The one place this package registers kernels with tfjs, at import: `LowbitAppMulMatMul`,
 * `LowbitAppMulConv2d` and `LowbitCodeFactors` (cpu, wasm) through quant-core's `registerKernelsOnce`, and the im2col
 * kernel `LowbitExtractPatches` that `@lowbit/training-kernels` owns (its `registerExtractPatches`).
 * All are new kernel names, so nothing stock is replaced and registering twice is skipped. No
 * gradient for the LUT kernels: `appMulMatMul`, `appMulConv2dCodes` and the AppMul arithmetic give
 * the exact product's gradient (straight-through).
 */
import { registerKernelsOnce } from '@lowbit/quant-core';
import { registerExtractPatches } from '@lowbit/training-kernels';
import { appMulConv2dCpuConfig } from './appmul-conv2d-cpu.js';
import { appMulConv2dWasmConfig } from './appmul-conv2d-wasm.js';
import { codeFactorsCpuConfig } from './code-factors-cpu.js';
import { codeFactorsWasmConfig } from './code-factors-wasm.js';
import { appMulMatMulCpuConfig } from './appmul-matmul-cpu.js';
import { appMulMatMulWasmConfig } from './appmul-matmul-wasm.js';

/** Registers the kernels this package uses that are not registered yet (done on import). */
export function registerAppMulKernels(): void {
  registerKernelsOnce([
    appMulMatMulCpuConfig,
    appMulMatMulWasmConfig,
    appMulConv2dCpuConfig,
    appMulConv2dWasmConfig,
    codeFactorsCpuConfig,
    codeFactorsWasmConfig,
  ]);
  registerExtractPatches();
}

registerAppMulKernels();
