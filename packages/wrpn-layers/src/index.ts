/**
 * @lowbit/wrpn-layers: WRPN (wide reduced-precision networks, Mishra et al. 2018) for
 * TensorFlow.js. Its layers are quant-core's generic ones with WRPN's parts (`wrpnDense`,
 * `wrpnConv2d`, `wrpnActivation`); the generic factories are re-exported here. The package adds
 * widening, the first/last-layer precision policy and model builders.
 */
export {
  quantDense,
  quantConv2d,
  quantDepthwiseConv2d,
  quantActivation,
  LowbitQuantActivation,
  LowbitQuantDense,
  LowbitQuantConv2D,
  LowbitQuantDepthwiseConv2D,
  type QuantDenseArgs,
  type QuantConv2DArgs,
  type QuantDepthwiseConv2DArgs,
  type QuantActivationArgs,
} from '@lowbit/quant-core';
export * from './wrpn-activation.js';
export * from './wrpn-layers.js';
export * from './policy.js';
export * from './net-spec.js';
export * from './widen.js';
export * from './build-net.js';
