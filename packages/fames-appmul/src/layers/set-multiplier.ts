/**
 * AppMul layers: quant-core's generic weight layers whose `arithmetic` is a
 * `LowbitAppMulArithmetic` (what `appMulDense` / `appMulConv2d` / `appMulDepthwiseConv2d` build,
 * or any `quantDense` given `arithmetic: 'appmul'`). `setMultiplier(layer, m)` installs a
 * multiplier (null: exact products) through `layer.setArithmetic`, keeping the layer's
 * `appMulPath`; `multiplierOf(layer)` reads it back.
 *
 * ```ts
 * setMultiplier(fc, 'drum2_a4u_w4s');   // e.g. after selectMultipliers
 * multiplierOf(fc)?.name;               // 'drum2_a4u_w4s'
 * appMulLayersOf(model);                // the layers countingMatricesOf measures
 * ```
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, LowbitQuantLayer } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { LowbitAppMulArithmetic } from '../arithmetic/appmul-arithmetic.js';

/** A generic quantized weight layer with an AppMul arithmetic. */
export type AppMulLayer = LowbitQuantLayer;

/** True when `layer` is a generic quantized layer whose arithmetic is a `LowbitAppMulArithmetic`. */
export function isAppMulLayer(layer: unknown): layer is AppMulLayer {
  return layer instanceof LowbitQuantLayer && layer.arithmetic instanceof LowbitAppMulArithmetic;
}

/** The model's AppMul layers, in model order. */
export function appMulLayersOf(model: tfl.LayersModel): AppMulLayer[] {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers))
    throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel (an object with `layers`)');
  return model.layers.filter(isAppMulLayer);
}

/** The layer's multiplier; null for exact products (or a layer without an AppMul arithmetic). */
export function multiplierOf(layer: LowbitQuantLayer): AppMul | null {
  if (!(layer instanceof LowbitQuantLayer)) {
    const name = (layer as { name?: unknown } | null)?.name ?? layer;
    throw new LowbitConfigError('layer', name, 'expected a quant-core quantized weight layer (appMulDense, ...)');
  }
  const a = layer.arithmetic;
  return a instanceof LowbitAppMulArithmetic ? a.multiplier : null;
}

/**
 * Sets the layer's arithmetic to a `LowbitAppMulArithmetic` with multiplier `m` (an AppMul, its
 * name, or null for exact products), keeping its `appMulPath`. Checked against the layer's
 * quantizers (a LowbitConfigError naming both parts when the codes do not fit `m`).
 */
export function setMultiplier(layer: LowbitQuantLayer, m: AppMul | string | null): void {
  if (!(layer instanceof LowbitQuantLayer)) {
    const name = (layer as { name?: unknown } | null)?.name ?? layer;
    throw new LowbitConfigError(
      'layer',
      name,
      'expected a quant-core quantized weight layer (appMulDense, appMulConv2d, ...)',
    );
  }
  const current = layer.arithmetic;
  const appMulPath = current instanceof LowbitAppMulArithmetic ? current.appMulPath : 'auto';
  layer.setArithmetic(new LowbitAppMulArithmetic({ multiplier: m, appMulPath }));
}
