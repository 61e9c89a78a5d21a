/**
 * @lowbit/fames-appmul: approximate multipliers for quantized TensorFlow.js nets (DESIGN.md 4.7).
 */
export * from './operand.js';
export * from './metrics.js';
export * from './energy.js';
export * from './gate-count.js';
export * from './appmul.js';
export * from './families/exact.js';
export * from './families/truncated.js';
export * from './families/broken-array.js';
export * from './families/operand-truncation.js';
export * from './families/mitchell.js';
export * from './families/drum.js';
export * from './families/underdesigned.js';
export * from './library.js';
export * from './lut-file.js';
export * from './evoapprox.js';
export * from './kernels/appmul-matmul.js';
export * from './kernels/appmul-matmul-cpu.js';
export * from './kernels/appmul-matmul-wasm.js';
export * from './kernels/extract-patches.js';
export * from './simulate/reference.js';
export * from './simulate/low-rank.js';
export * from './simulate/appmul-matmul.js';
export * from './simulate/patches.js';
export * from './simulate/appmul-conv2d.js';
export * from './counting.js';
export * from './selection.js';
export * from './layer-choices.js';
export * from './appmul-registry.js';
export * from './layers/appmul-dense.js';
export * from './calibrate-counting.js';
export * from './layers/operand-codes.js';
export * from './layers/appmul-conv2d.js';
export * from './ga/genetic-search.js';
export * from './ga/model-ga.js';
