/**
 * Models saved by the release before the generic layers stored `LowbitAppMulDense` and
 * `LowbitAppMulConv2D` layers. Both names stay loadable: they are registered as layer aliases whose
 * configs are converted here and built with `appMulDense` / `appMulConv2d` (a `LowbitQuantDense` /
 * `LowbitQuantConv2D` with the same quantizers and a `LowbitAppMulArithmetic`; re-saved, the model
 * uses the new class names).
 *
 * The conversion: the old `multiplier` (a name, or null) and `appMulPath` become the arithmetic's;
 * every other argument is the same. An old layer without a multiplier and without integer quantizers
 * (allowed then: it was a plain quantized layer) loads as a `quantDense` / `quantConv2d` with the
 * exact arithmetic. tfjs camel-cases saved strings on load, so the old saved name
 * `trunc3_a4u_w4s` arrives as `trunc3A4uW4s`; `resolveAppMul` undoes that (which is also why the
 * previous release could not load these models from disk).
 *
 * ```ts
 * const model = await loadModel('tools/fixtures/v0/LowbitAppMulDense'); // a LowbitQuantDense inside
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  checkOneOf,
  quantConv2d,
  quantDense,
  registerLayerAlias,
  type QuantConv2DArgs,
  type QuantDenseArgs,
} from '@lowbit/quant-core';
import type { AppMulPath } from '../simulate/appmul-matmul.js';
import { appMulConv2d, type AppMulConv2DArgs } from './appmul-conv2d.js';
import { appMulDense, type AppMulDenseArgs } from './appmul-dense.js';

/** The arguments of `appMulDense` / `appMulConv2d` for a config saved by the previous release. */
export function fromLegacyAppMulConfig(config: tf.serialization.ConfigDict): Record<string, unknown> {
  const { multiplier = null, appMulPath = 'auto', ...rest } = config as Record<string, unknown>;
  const path: AppMulPath = checkOneOf('appMulPath', appMulPath as string, ['auto', 'lut', 'low-rank'] as const);
  return { ...rest, multiplier, appMulPath: path };
}

/** The old layer as an AppMul layer, or (no multiplier, quantizers an AppMul cannot take) a plain one. */
function legacyLayer(
  config: tf.serialization.ConfigDict,
  withAppMul: (args: Record<string, unknown>) => tfl.layers.Layer,
  plain: (args: Record<string, unknown>) => tfl.layers.Layer,
): tfl.layers.Layer {
  const args = fromLegacyAppMulConfig(config);
  try {
    return withAppMul(args);
  } catch (e) {
    if (!(e instanceof LowbitConfigError) || args.multiplier !== null) throw e;
    const { multiplier: _m, appMulPath: _p, ...rest } = args;
    return plain(rest);
  }
}

registerLayerAlias('LowbitAppMulDense', (config) =>
  legacyLayer(
    config,
    (args) => appMulDense(args as unknown as AppMulDenseArgs),
    (args) => quantDense(args as unknown as QuantDenseArgs),
  ),
);
registerLayerAlias('LowbitAppMulConv2D', (config) =>
  legacyLayer(
    config,
    (args) => appMulConv2d(args as unknown as AppMulConv2DArgs),
    (args) => quantConv2d(args as unknown as QuantConv2DArgs),
  ),
);
