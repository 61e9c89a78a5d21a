/**
 * @lowbit/wage-train: WAGE (Wu, Li, Chen, Shi, ICLR 2018) for TensorFlow.js: weights,
 * activations, gradients and errors as low-bit integers. WAGE's parts for quant-core's generic
 * layers (activation / error quantizer, pass-through input part, seeded initializer) and the
 * factories that assemble them, the integer update rule as a tfjs optimizer, the training loop
 * and integer-only inference. The old layer class names load as aliases.
 */
import '@lowbit/quant-core';
export { checkWageBits, maxWageCode, MAX_WAGE_BITS, MIN_WAGE_BITS } from './bits.js';
export * from './wage-init.js';
export * from './error-quantizer.js';
export * from './wage-quantizers.js';
export * from './activation.js';
export {
  isWageLayer,
  wageConv2d,
  wageDense,
  type WageConv2DArgs,
  type WageDenseArgs,
  type WageLayer,
  type WageWeightArgs,
} from './wage-layers.js';
export { fromLegacyWageConfig } from './legacy.js';
export * from './optimizer.js';
export * from './train.js';
export * from './integer-inference.js';
