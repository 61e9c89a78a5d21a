/**
 * @lowbit/fames-appmul: approximate multipliers (AppMuls) for quantized TensorFlow.js nets, after
 * FAMES (arXiv 2411.18055):
 *
 * - the AppMul library (behavioural designs, user LUTs, EvoApproxLib tables) with error metrics
 *   and energy figures;
 * - the arithmetic part `LowbitAppMulArithmetic` (`'appmul'`, registered at import) that makes
 *   quant-core's generic layers multiply through an AppMul, and the factories `appMulDense`,
 *   `appMulConv2d`, `appMulDepthwiseConv2d`; `setMultiplier(layer, m)`; the old layer names
 *   `LowbitAppMulDense` / `LowbitAppMulConv2D` load as aliases;
 * - bit-exact simulation ops on integer codes (`appMulMatMul`, `appMulConv2dCodes`,
 *   `appMulDepthwiseConv2dCodes`), with the `LowbitAppMulMatMul` and `LowbitAppMulConv2d`
 *   kernels (cpu, wasm);
 * - counting matrices, loss estimates, the knapsack selection and a GA baseline.
 */
import '@lowbit/quant-core';
import './kernels/register.js';

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
export * from './appmul-registry.js';
export * from './kernels/appmul-matmul.js';
export * from './kernels/appmul-matmul-cpu.js';
export * from './kernels/appmul-matmul-wasm.js';
export * from './kernels/appmul-conv2d.js';
export * from './kernels/appmul-conv2d-cpu.js';
export * from './kernels/appmul-conv2d-wasm.js';
export * from './kernels/code-factors.js';
export * from './kernels/code-factors-cpu.js';
export * from './kernels/code-factors-wasm.js';
export { registerAppMulKernels } from './kernels/register.js';
export * from './simulate/reference.js';
export * from './simulate/low-rank.js';
export * from './simulate/appmul-matmul.js';
export * from './simulate/patches.js';
export * from './simulate/appmul-conv2d.js';
export * from './simulate/appmul-depthwise-conv2d.js';
export {
  LowbitAppMulArithmetic,
  appMulEnergyRatio,
  type AppMulArithmeticArgs,
} from './arithmetic/appmul-arithmetic.js';
export {
  appMulFromTable,
  appMulToTable,
  multiplierConfig,
  type AppMulTable,
  type MultiplierConfig,
} from './arithmetic/multiplier-config.js';
export { appMulDense, type AppMulDenseArgs } from './layers/appmul-dense.js';
export { appMulConv2d, type AppMulConv2DArgs } from './layers/appmul-conv2d.js';
export { appMulDepthwiseConv2d, type AppMulDepthwiseConv2DArgs } from './layers/appmul-depthwise-conv2d.js';
export type { AppMulLayerArgs } from './layers/appmul-layer-args.js';
export * from './layers/set-multiplier.js';
export * from './layers/layer-operand-codes.js';
import './layers/legacy.js';
export * from './counting.js';
export * from './selection.js';
export * from './layer-choices.js';
export * from './calibrate-counting.js';
export * from './ga/genetic-search.js';
export * from './ga/model-ga.js';
