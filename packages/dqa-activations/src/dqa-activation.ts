/**
 * `dqaActivation(args)`: a DQA activation layer, i.e. quant-core's generic `quantActivation` with a
 * {@link LowbitDqaQuantizer} as its output quantizer. It fake-quantizes the activations flowing
 * through it (direct N bits on ordinary channels, N + m bits on important ones; channels last),
 * with a straight-through gradient, and saves / loads with the model (no custom objects needed).
 * `applyDqa` inserts one after each hidden activation of a trained model.
 *
 * ```ts
 * const layer = dqaActivation({ outputBits: 4, extraBits: 3, scales: [0.1, 0.2], important: [1] });
 * const y = layer.apply(tf.tensor2d([[0.33, 0.33]])) as tf.Tensor;    // [[0.3, 0.325]]
 * const bytes = encode(activations, dqaParamsOf(layer));                // what a device would store
 * ```
 *
 * Models saved by the release before the generic layers hold `LowbitDqaActivation` layers; that
 * class name stays loadable and becomes this layer.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  checkInteger,
  checkObject,
  checkRenamedOptions,
  LowbitConfigError,
  LowbitQuantActivation,
  quantActivation,
  registerLayerAlias,
  type QuantActivationArgs,
} from '@lowbit/quant-core';
import { MAX_BITS, MIN_BITS, type CheckedDqaParams, type TableGranularity } from './dqa-params.js';
import { LowbitDqaQuantizer } from './dqa-quantizer.js';

export interface DqaActivationArgs extends Omit<QuantActivationArgs, 'outputQuantizer'> {
  /** N, 2..8: bits of every stored activation code. */
  outputBits: number;
  /** m, 1..8 (default 3): extra bits of the important channels. */
  extraBits?: number;
  /** `delta_N` per channel (> 0), from calibration. */
  scales: ArrayLike<number>;
  /** Important channel indices (default none: direct N-bit quantization). */
  important?: ArrayLike<number>;
  /** Huffman table granularity used when encoding this layer's activations (default 'layer'). */
  tableGranularity?: TableGranularity;
}

/** A `quantActivation` layer whose output quantizer is DQA. */
export function dqaActivation(args: DqaActivationArgs): LowbitQuantActivation {
  checkObject('dqaActivation', args, '{ outputBits, scales, extraBits?, important?, ... }');
  checkRenamedOptions('dqaActivation', args, { bits: 'outputBits' });
  const { outputBits, extraBits, scales, important, tableGranularity, ...layerArgs } = args;
  const bits = checkInteger('dqaActivation.outputBits', outputBits, MIN_BITS, MAX_BITS);
  const config: Record<string, unknown> = { bits, scales };
  if (extraBits !== undefined) config.extraBits = extraBits;
  if (important !== undefined) config.important = important;
  if (tableGranularity !== undefined) config.tableGranularity = tableGranularity;
  return quantActivation({ ...layerArgs, outputQuantizer: new LowbitDqaQuantizer(config as never) });
}

/** True when `layer` carries a DQA output quantizer (made by `dqaActivation` or `applyDqa`). */
export function isDqaLayer(layer: unknown): layer is LowbitQuantActivation & { outputQuantizer: LowbitDqaQuantizer } {
  return (layer as { outputQuantizer?: unknown } | null)?.outputQuantizer instanceof LowbitDqaQuantizer;
}

/**
 * The DQA parameters of a layer made by `dqaActivation` / `applyDqa` (or of a DQA quantizer), as
 * `encode` takes them.
 */
export function dqaParamsOf(layerOrQuantizer: tfl.layers.Layer | LowbitDqaQuantizer): CheckedDqaParams {
  if (layerOrQuantizer instanceof LowbitDqaQuantizer) return layerOrQuantizer.dqaParams();
  if (isDqaLayer(layerOrQuantizer)) return layerOrQuantizer.outputQuantizer.dqaParams();
  const name = (layerOrQuantizer as { name?: unknown } | null)?.name ?? layerOrQuantizer;
  throw new LowbitConfigError(
    'layer',
    name,
    'has no DQA output quantizer (use a layer from dqaActivation or applyDqa)',
  );
}

/** The previous release's `LowbitDqaActivation` config (`bits`, ...) as {@link DqaActivationArgs}. */
function fromLegacyConfig(config: tf.serialization.ConfigDict): DqaActivationArgs {
  const { bits, ...rest } = config as Record<string, unknown>;
  return { ...rest, outputBits: bits } as unknown as DqaActivationArgs;
}

registerLayerAlias('LowbitDqaActivation', (config) => dqaActivation(fromLegacyConfig(config)));
