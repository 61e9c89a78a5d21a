/**
 * `widen(specOrModel, factor)`: WRPN's wide variant of a network.
 *
 * - On a {@link NetSpec}: see `widenSpec` (synchronous, returns a spec).
 * - On a tfjs `LayersModel` (Sequential or functional): returns a new, freshly initialised model
 *   whose layers with a `filters` field (Conv1D, Conv2D, Conv2DTranspose, SeparableConv2D, and
 *   their lowbit versions such as LowbitQuantConv2D) or a `units` field (Dense, LowbitQuantDense)
 *   have it multiplied by `factor`, except the layers whose output is a model output (the class
 *   scores). Unchanged: the input shape (so the first layer's input channels), depthwise
 *   convolutions (`depthMultiplier` stays; their channels follow their widened input), and every
 *   other layer. Weights are not copied (their shapes change).
 *
 * ```ts
 * const wide = await widen(model, 2);
 * const wideSpec = widen(lenetSpec(), 3);
 * ```
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core';
import { checkWidth, widenSpec, type NetSpec } from './net-spec.js';

export function widen(spec: NetSpec, factor: number): NetSpec;
export function widen(model: tfl.LayersModel, factor: number): Promise<tfl.LayersModel>;
export function widen(specOrModel: NetSpec | tfl.LayersModel, factor: number): NetSpec | Promise<tfl.LayersModel> {
  if (specOrModel instanceof tfl.LayersModel) return widenModel(specOrModel, factor);
  if (specOrModel !== null && typeof specOrModel === 'object' && Array.isArray((specOrModel as NetSpec).layers))
    return widenSpec(specOrModel as NetSpec, factor);
  throw new LowbitConfigError('specOrModel', specOrModel, 'expected a NetSpec or a tfjs LayersModel');
}

type PyLayer = { class_name: string; config: Record<string, unknown> & { name: string } };

async function widenModel(model: tfl.LayersModel, factor: number): Promise<tfl.LayersModel> {
  checkWidth(factor);
  const topology = model.toJSON(null, false) as unknown as { config: { layers: PyLayer[] } };
  const outputs = new Set(model.outputs.map((o) => o.sourceLayer.name));
  for (const layer of topology.config.layers) {
    if (outputs.has(layer.config.name)) continue;
    for (const key of ['filters', 'units']) {
      const v = layer.config[key];
      if (typeof v === 'number') layer.config[key] = v * factor;
    }
  }
  return tfl.models.modelFromJSON(topology as never);
}
