/**
 * @lowbit/wrpn-layers: WRPN (wide reduced-precision networks, Mishra et al. 2018) for
 * TensorFlow.js. The quantized layers are quant-core's generic ones, re-exported here; this
 * package adds the WRPN activation, widening, the first/last-layer precision policy and model
 * builders.
 */
export {
  quantDense,
  quantConv2d,
  quantDepthwiseConv2d,
  LowbitQuantDense,
  LowbitQuantConv2D,
  LowbitQuantDepthwiseConv2D,
  type QuantDenseArgs,
  type QuantConv2DArgs,
  type QuantDepthwiseConv2DArgs,
} from '@lowbit/quant-core';
export * from './wrpn-activation.js';
export * from './policy.js';
export * from './net-spec.js';
export * from './widen.js';
export * from './build-net.js';
