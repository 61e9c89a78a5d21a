/**
 * @lowbit/dqa-activations: deep quantization of activations (DQA, arXiv 2412.09687).
 */
export * from './direct-quant.js';
export * from './shift-split.js';
export * from './dqa-params.js';
export * from './dqa-quantize.js';
export * from './huffman.js';
export * from './bit-stream.js';
export * from './codec.js';
export * from './dqa-quantizer.js';
export * from './dqa-activation.js';
export * from './layer-chain.js';
export * from './calibrate-dqa.js';
export * from './apply-dqa.js';
export * from './rank-agreement.js';
export * from './storage-report.js';
