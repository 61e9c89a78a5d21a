/**
 * @lowbit/training-kernels: replacement tfjs kernels so conv nets train in Node on the wasm
 * and cpu backends, and `selectBackend` to pick the fastest backend available.
 */
export * from './register.js';
export * from './kernels/conv2d-backprop-filter.js';
export * from './kernels/conv2d-backprop-filter-wasm.js';
export * from './kernels/conv2d-backprop-input.js';
export * from './kernels/depthwise-backprop-filter.js';
export * from './kernels/depthwise-backprop-input.js';
export * from './kernels/max-pool-grad.js';
export * from './kernels/batch-mat-mul-wasm.js';
export { filterGradByConv } from './kernels/filter-grad-by-conv.js';
export * from './kernels/extract-patches.js';
export * from './kernels/extract-patches-cpu.js';
export * from './kernels/extract-patches-wasm.js';
export { composedKernel } from './kernels/composed-kernel.js';
export * from './select-backend.js';
export { enableWasmThreadsInNode, withWasmThreadPool, wasmWorkersStarted, MAX_WASM_THREADS } from './wasm-threads.js';
