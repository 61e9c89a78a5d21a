export * from './quant-layer.js';
export * from './quant-conv-layer.js';
export * from './quant-dense.js';
export * from './quant-conv2d.js';
export * from './quant-depthwise-conv2d.js';
export * from './quant-activation.js';
export * from './layer-alias.js';
export * from './check-input.js';
