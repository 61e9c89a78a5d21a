/**
 * `applyDqa`: post-training DQA for a trained Sequential model. Calibrates per-channel scales and
 * ranks channels on calibration data (`calibrateDqa`), then returns a NEW model with a DQA
 * activation layer (`dqaActivation`: quant-core's `quantActivation` with a `LowbitDqaQuantizer`)
 * after each quantized layer; the input model is untouched (its weights are copied, not shared).
 *
 * ```ts
 * const dqa = await applyDqa(model, { x, y }, { bits: 3, extraBits: 3, importantFraction: 0.5 });
 * const direct = await applyDqa(model, { x, y }, { bits: 3, importantFraction: 0 }); // baseline
 * dqa.predict(xTest);
 * encode(hidden, dqaParamsOf(dqaLayers(dqa)[0]));  // the stored activations of the first one
 * ```
 */

import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, checkKnownKeys, checkOneOf, type LowbitQuantActivation } from '@lowbit/quant-core';
import {
  calibrateDqa,
  checkCalibrateOptions,
  type CalibrateDqaOptions,
  type CalibrationData,
  type DqaCalibration,
} from './calibrate-dqa.js';
import { dqaActivation, isDqaLayer } from './dqa-activation.js';
import type { LowbitDqaQuantizer } from './dqa-quantizer.js';
import { TABLE_GRANULARITIES, type TableGranularity } from './dqa-params.js';
import { layerChain } from './layer-chain.js';

export interface ApplyDqaOptions extends CalibrateDqaOptions {
  /** Huffman table granularity the inserted layers encode with (default 'layer'). */
  tableGranularity?: TableGranularity;
}

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

/** Builds the quantized copy of `model` described by `calibration` (no data needed). */
export async function buildDqaModel(
  model: tfl.LayersModel,
  calibration: DqaCalibration,
  options: { tableGranularity?: TableGranularity } = {},
): Promise<tfl.LayersModel> {
  const { layers } = layerChain(model);
  checkKnownKeys('options', options, ['tableGranularity']);
  const tableGranularity = checkOneOf(
    'options.tableGranularity',
    options.tableGranularity ?? 'layer',
    TABLE_GRANULARITIES,
  );
  if (calibration === null || typeof calibration !== 'object' || !Array.isArray(calibration.layers)) {
    throw new LowbitConfigError('calibration', calibration, 'expected the result of calibrateDqa');
  }
  checkKnownKeys('calibration', calibration, ['bits', 'extraBits', 'importantFraction', 'ranking', 'metric', 'layers']);
  const topology = model.toJSON(null, false) as unknown as { config: { layers: LayerJson[] } };
  const jsonLayers = topology.config.layers;
  const byName = new Map(calibration.layers.map((l) => [l.layerName, l]));
  const usedNames = new Set(layers.map((l) => l.name));
  const out: LayerJson[] = [];
  for (const entry of jsonLayers) {
    out.push(entry);
    const cal = byName.get(entry.config.name as string);
    if (!cal) continue;
    byName.delete(cal.layerName);
    let name = `${cal.layerName}_dqa`;
    for (let k = 1; usedNames.has(name); k++) name = `${cal.layerName}_dqa_${k}`;
    usedNames.add(name);
    // Validates the numbers (the quantizer checks them) before serializing.
    const layer = dqaActivation({
      name,
      outputBits: calibration.bits,
      extraBits: calibration.extraBits,
      scales: cal.scales,
      important: cal.important,
      tableGranularity,
    });
    out.push({ class_name: layer.getClassName(), config: layer.getConfig() as Record<string, unknown> });
  }
  if (byName.size > 0)
    throw new LowbitConfigError('calibration.layers', [...byName.keys()], 'names layers this model does not have');
  topology.config.layers = out;
  // modelFromJSON converts snake_case keys back; our config keys are camelCase already and survive.
  const copy = await tfl.models.modelFromJSON(topology as never);
  copy.setWeights(model.getWeights());
  return copy;
}

/** Calibrates and returns a new model with DQA activation quantizers inserted. */
export async function applyDqa(
  model: tfl.LayersModel,
  calibrationData: CalibrationData,
  options: ApplyDqaOptions,
): Promise<tfl.LayersModel> {
  checkCalibrateOptions(options, ['tableGranularity']);
  const { tableGranularity, ...calibrateOptions } = options;
  checkOneOf('options.tableGranularity', tableGranularity ?? 'layer', TABLE_GRANULARITIES);
  const calibration = calibrateDqa(model, calibrationData, calibrateOptions);
  return buildDqaModel(model, calibration, { tableGranularity });
}

/** The DQA layers of a model (those {@link applyDqa} inserted), in order; `dqaParamsOf` reads their parameters. */
export function dqaLayers(
  model: tfl.LayersModel,
): Array<LowbitQuantActivation & { outputQuantizer: LowbitDqaQuantizer }> {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel');
  }
  return model.layers.filter(isDqaLayer);
}
