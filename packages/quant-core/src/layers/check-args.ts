/**
 * Argument checks of the generic layers' constructors: typed errors naming the factory and the
 * argument instead of tfjs's untyped ones, and unknown keys rejected (a misspelt
 * `kernelQuantiser` would otherwise leave the layer silently unquantized).
 *
 * The known keys are the tfjs layer's own (what its `getConfig()` saves), the base layer
 * arguments, lowbit's parts and `extra` (such as Dense's `inputDim`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, LowbitError } from '../errors.js';

/** What a generic layer class is created by, for messages (`quantDense.units`). */
export const FACTORY_NAMES: Readonly<Record<string, string>> = Object.freeze({
  LowbitQuantDense: 'quantDense',
  LowbitQuantConv2D: 'quantConv2d',
  LowbitQuantDepthwiseConv2D: 'quantDepthwiseConv2d',
  LowbitQuantActivation: 'quantActivation',
});

/** Keys tfjs itself passes to `fromConfig` beyond the layer's arguments. */
const DESERIALIZATION_KEYS = ['customObjects'];

/**
 * Builds the tfjs reference layer; a tfjs error becomes a LowbitConfigError naming the argument
 * the message mentions (or `args`).
 */
export function tfjsReference(
  owner: string,
  args: Record<string, unknown>,
  make: (args: Record<string, unknown>) => tfl.layers.Layer,
): tfl.layers.Layer {
  try {
    return make(args);
  } catch (e) {
    if (e instanceof LowbitError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const key = Object.keys(args)
      .filter((k) => k !== 'name')
      .sort((a, b) => b.length - a.length)
      .find((k) => message.includes(k));
    const missing = /required key '([^']+)'/.exec(message)?.[1];
    const name = key ?? missing;
    throw new LowbitConfigError(
      name ? `${owner}.${name}` : `${owner} args`,
      name ? args[name] : args,
      `rejected by tfjs: ${message.split('\n')[0]}`,
    );
  }
}

/** Throws for a key that is neither the tfjs layer's, a base layer argument, a part nor `extra`. */
export function checkKnownLayerArgs(
  owner: string,
  args: Record<string, unknown>,
  reference: tfl.layers.Layer,
  known: readonly string[],
): void {
  const tfjsKeys = Object.keys(reference.getConfig());
  for (const key of Object.keys(args)) {
    if (tfjsKeys.includes(key) || known.includes(key) || DESERIALIZATION_KEYS.includes(key)) continue;
    throw new LowbitConfigError(
      `${owner}.${key}`,
      args[key],
      'unknown argument; expected a part (kernelQuantizer, inputQuantizer, outputQuantizer, arithmetic) ' +
        'or an argument of the tfjs layer it replaces',
    );
  }
}

/**
 * The check at the top of a layer's `apply`: exactly one input; a concrete tensor goes through
 * `check` (so tfjs's own input-spec check never throws an untyped error for it); a symbolic
 * tensor (model construction) is left to tfjs.
 */
export function checkApplyInputs(layerName: string, inputs: unknown, check: (x: tf.Tensor) => void): void {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length !== 1) {
    throw new LowbitConfigError(`${layerName}.inputs`, inputs, `expected exactly one input tensor, got ${list.length}`);
  }
  if (list[0] instanceof tfl.SymbolicTensor) return;
  check(list[0] as tf.Tensor);
}
