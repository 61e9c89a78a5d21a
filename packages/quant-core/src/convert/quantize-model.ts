/**
 * `quantizeModel(model, config)`: whole-model conversion, as QKeras's `model_quantize`. Takes a
 * float tfjs LayersModel (sequential or functional) and a config keyed by layer name, tfjs layer
 * class or `default`, and returns a new model in which every configured Dense, Conv2D,
 * DepthwiseConv2D and Activation layer is the generic lowbit layer with the given parts, with the
 * float weights transferred. Layers without a config entry (or with `null`) are copied unchanged,
 * weights included, so they compute bit-identically.
 *
 * Lookup order for a layer: its name, then its class name, then `default`.
 *
 * ```ts
 * const q = quantizeModel(floatModel, {
 *   default: { weightBits: 4, inputBits: 4 },                  // uniform symmetric shorthand
 *   conv2d_1: { kernelQuantizer: 'log2', arithmetic: 'exact' },
 *   Dense: null,                                                  // leave every Dense float
 * });
 * q.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });   // fine-tune (QAT)
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkInteger } from '../validate.js';
import { LowbitConfigError } from '../errors.js';
import type { ArithmeticIdentifier } from '../arithmetic.js';
import type { QuantizerIdentifier } from '../registry.js';
// The classes the converted JSON names, and the uniform quantizer of the shorthand, must be registered.
import '../layers/index.js';
import '../quantizers/uniform.js';

/** What one layer becomes. */
export interface LayerQuantizeConfig {
  kernelQuantizer?: QuantizerIdentifier | null;
  inputQuantizer?: QuantizerIdentifier | null;
  outputQuantizer?: QuantizerIdentifier | null;
  arithmetic?: ArithmeticIdentifier | null;
  /** Shorthand for a symmetric signed uniform kernel quantizer of this many bits (per output channel). */
  weightBits?: number;
  /** Shorthand for a uniform input quantizer of this many bits (min-max range, signed). */
  inputBits?: number;
}

/** Keys: layer names, tfjs layer class names ('Dense', 'Conv2D', ...) or 'default'. `null`: keep float. */
export type QuantizeModelConfig = Record<string, LayerQuantizeConfig | null>;

/** The tfjs layer classes quantizeModel converts, and the lowbit class each becomes. */
export const CONVERTIBLE_LAYERS: Readonly<Record<string, string>> = Object.freeze({
  Dense: 'LowbitQuantDense',
  Conv2D: 'LowbitQuantConv2D',
  DepthwiseConv2D: 'LowbitQuantDepthwiseConv2D',
  Activation: 'LowbitQuantActivation',
});

const CONFIG_KEYS = ['kernelQuantizer', 'inputQuantizer', 'outputQuantizer', 'arithmetic', 'weightBits', 'inputBits'];

/** A layer in tfjs's pythonic model JSON (`class_name`, snake_case config keys). */
interface LayerJSON {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
}

/** The parts for one layer from its config entry (shorthand expanded). */
function partsOf(key: string, entry: LayerQuantizeConfig, className: string): Record<string, unknown> {
  if (typeof entry !== 'object' || Array.isArray(entry))
    throw new LowbitConfigError(`config.${key}`, entry, 'expected an object of parts or null');
  for (const k of Object.keys(entry)) {
    if (!CONFIG_KEYS.includes(k))
      throw new LowbitConfigError(
        `config.${key}.${k}`,
        (entry as Record<string, unknown>)[k],
        `unknown key; expected one of ${CONFIG_KEYS.join(', ')}`,
      );
  }
  const parts: Record<string, unknown> = {};
  if (entry.weightBits !== undefined) {
    if (entry.kernelQuantizer != null)
      throw new LowbitConfigError(
        `config.${key}.weightBits`,
        entry.weightBits,
        'give weightBits or kernelQuantizer, not both',
      );
    const bits = checkInteger(`config.${key}.weightBits`, entry.weightBits, 2, 24);
    parts.kernelQuantizer = {
      className: 'LowbitUniformQuantizer',
      config: { bits, signed: true, symmetric: true, perChannel: true, axis: -1 },
    };
  }
  if (entry.inputBits !== undefined) {
    if (entry.inputQuantizer != null)
      throw new LowbitConfigError(
        `config.${key}.inputBits`,
        entry.inputBits,
        'give inputBits or inputQuantizer, not both',
      );
    const bits = checkInteger(`config.${key}.inputBits`, entry.inputBits, 2, 24);
    parts.inputQuantizer = { className: 'LowbitUniformQuantizer', config: { bits, signed: true, symmetric: true } };
  }
  for (const k of ['kernelQuantizer', 'inputQuantizer', 'outputQuantizer', 'arithmetic'] as const) {
    if (entry[k] !== undefined && entry[k] !== null) parts[k] = serializePart(entry[k], `config.${key}.${k}`);
  }
  if (className === 'Activation' && (parts.kernelQuantizer !== undefined || parts.arithmetic !== undefined)) {
    throw new LowbitConfigError(
      `config.${key}`,
      entry,
      'an Activation layer has no kernel: give inputQuantizer / outputQuantizer only',
    );
  }
  return parts;
}

/** Parts as model JSON holds them: instances become `{ className, config }`, strings stay aliases. */
function serializePart(part: unknown, argument: string): unknown {
  if (typeof part === 'string') return part;
  if (part && typeof part === 'object' && typeof (part as { getConfig?: unknown }).getConfig === 'function') {
    const cls = part.constructor as unknown as { className?: string };
    if (typeof cls.className !== 'string')
      throw new LowbitConfigError(argument, part, 'expected a registered lowbit part');
    return { className: cls.className, config: (part as { getConfig(): unknown }).getConfig() };
  }
  if (part && typeof part === 'object' && typeof (part as { className?: unknown }).className === 'string') return part;
  throw new LowbitConfigError(argument, part, 'expected a part instance, an alias string or { className, config }');
}

/** The model's layer list inside its JSON config (sequential: `config.layers`; functional: same key). */
function layersOf(modelJSON: { config: { layers?: LayerJSON[] } }): LayerJSON[] {
  const layers = modelJSON.config.layers;
  if (!Array.isArray(layers))
    throw new LowbitConfigError('model', modelJSON.config, 'expected a tfjs LayersModel with a layers list');
  return layers;
}

/** Converts `model` (not modified) into a quantized copy; see the module comment. */
export async function quantizeModel(model: tfl.LayersModel, config: QuantizeModelConfig): Promise<tfl.LayersModel> {
  if (!(model instanceof tfl.LayersModel))
    throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel (tf.sequential or tf.model)');
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new LowbitConfigError('config', config, 'expected an object keyed by layer name, layer class or "default"');
  const names = new Set(model.layers.map((l) => l.name));
  for (const key of Object.keys(config)) {
    if (
      key !== 'default' &&
      !names.has(key) &&
      !(key in CONVERTIBLE_LAYERS) &&
      !model.layers.some((l) => l.getClassName() === key)
    ) {
      throw new LowbitConfigError(
        `config.${key}`,
        config[key],
        `no layer or layer class of that name in the model; layers: ${[...names].join(', ')}`,
      );
    }
  }
  // The pythonic JSON tfjs saves; tfjs converts it back (snake_case to camelCase) when loading.
  const modelJSON = model.toJSON(undefined, false) as unknown as {
    class_name: string;
    config: { layers?: LayerJSON[] };
  };
  const converted = new Set<string>();
  for (const layer of layersOf(modelJSON)) {
    const className = layer.class_name;
    const target = CONVERTIBLE_LAYERS[className];
    const name = (layer.config.name as string | undefined) ?? layer.name;
    if (target === undefined || name === undefined) continue;
    const key = name in config ? name : className in config ? className : 'default' in config ? 'default' : null;
    const entry = key === null ? null : config[key];
    if (entry === null || entry === undefined) continue;
    Object.assign(layer.config, partsOf(key!, entry, className));
    layer.class_name = target;
    converted.add(name);
  }
  const quantized = (await tfl.models.modelFromJSON({ modelTopology: modelJSON as never })) as tfl.LayersModel;
  transferWeights(model, quantized, converted);
  return quantized;
}

/** Copies every float weight by layer; converted layers take kernel and bias (their quantizer state keeps its initial value). */
function transferWeights(from: tfl.LayersModel, to: tfl.LayersModel, converted: Set<string>): void {
  for (const src of from.layers) {
    const dst = to.getLayer(src.name);
    const values = src.getWeights();
    if (!converted.has(src.name)) {
      dst.setWeights(values);
      continue;
    }
    // The generic layer creates kernel and bias first, with tfjs's names, then any quantizer state.
    // (getWeights returns the variables themselves: nothing to dispose.)
    const current = dst.getWeights() as tf.Tensor[];
    dst.setWeights([...values, ...current.slice(values.length)]);
  }
}
