/**
 * @lowbit/quant-core: the shared base of every lowbit package.
 */
// Our ops define gradients on top of tfjs's own, which tfjs-layers registers when imported (a
// deep import of tfjs-core's register_all_gradients does not resolve under plain Node ESM).
import '@tensorflow/tfjs-layers';
export * from './errors.js';
export * from './validate.js';
export * from './rounding.js';
export * from './stats/rank-correlation.js';
export * from './precision.js';
export * from './quantized-tensor.js';
export * from './bitpack.js';
export { crc32 } from './io/crc32.js';
export type { CalibrationRange } from './calibration/channel-data.js';
export { calibrateMinMax, type MinMaxOptions } from './calibration/min-max.js';
export { calibratePercentile, type PercentileOptions } from './calibration/percentile.js';
export { calibrateMse, clippingMse, type MseOptions, type ClippingGrid } from './calibration/mse.js';
export { channelMaxAbs, ChannelMaxAbs } from './calibration/channel-max-abs.js';
// Node file IO (fileIO, saveModel, loadModel, registerFileIORouter) is exported by
// '@lowbit/quant-core/node' only, so this entry bundles for the browser.
export * from './quantizer.js';
export * from './registry.js';
export type { PartClass, PartIdentifier, SerializedPart } from './parts/part-registry.js';
export { isTfjsInitializer, LowbitInitializer } from './parts/kernel-initializer.js';
export * from './arithmetic.js';
export * from './ops/ste.js';
export * from './ops/fake-quant-affine.js';
// Registers the kernels at import; their configs are in @lowbit/quant-core/internal.
import './kernels/register.js';
export { registerKernelsOnce } from './kernels/register-kernels-once.js';
export * from './layers/index.js';
export * from './convert/quantize-model.js';
export * from './quantizers/common.js';
export * from './quantizers/wrpn.js';
export * from './quantizers/dorefa.js';
export * from './random.js';
export * from './quantizers/uniform.js';
export * from './quantizers/log.js';
export * from './ops/wage.js';
export * from './quantizers/wage.js';
export * from './quantizers/binary.js';
export * from './quantizers/ternary.js';
