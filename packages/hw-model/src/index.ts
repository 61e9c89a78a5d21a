/**
 * @lowbit/hw-model: what a quantized TensorFlow.js model would cost in hardware.
 */
export * from './energy-table.js';
export * from './energy.js';
export * from './mac-energy.js';
export * from './layer-work.js';
export * from './summary.js';
export * from './format.js';
export * from './print-summary.js';
export * from './log-accumulate-energy.js';
export * from './operand-name.js';
