/**
 * Plumbing the generic layers share (argument splitting, the quantizer host, tfjs's fused
 * activations). Internal: exported to other lowbit packages through `@lowbit/quant-core/internal`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { LowbitConfigError } from '../errors.js';
import type { QuantizerHost, QuantizerVariable } from '../quantizer.js';
import type { QuantizerArgs, TfjsActivation } from './quant-layer.js';

/** tfjs fused-kernel activations (what tfjs-layers' `mapActivationToFusedKernel` accepts). */
export type FusedActivationName = 'linear' | 'relu' | 'elu';

/** The fused activation tfjs layers use for `activation`, or null when tfjs applies it unfused. */
export function fusedActivationOf(activation: TfjsActivation | null): FusedActivationName | null {
  const name = activation?.getClassName();
  return name === 'linear' || name === 'relu' || name === 'elu' ? name : null;
}

/** Keys of the base `LayerArgs` (handled by our own Layer constructor, not by the reference). */
export const BASE_ARG_KEYS = [
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'name',
  'trainable',
  'weights',
  'inputDType',
] as const;
export function pickBaseArgs(args: LayerArgs & QuantizerArgs): LayerArgs {
  if (args === null || typeof args !== 'object')
    throw new LowbitConfigError('args', args, 'expected an object of layer arguments');
  const base: Record<string, unknown> = {};
  for (const key of BASE_ARG_KEYS) if (key in args) base[key] = (args as Record<string, unknown>)[key];
  return base as LayerArgs;
}

export function exactlyOne(inputs: tf.Tensor[], name: string): tf.Tensor {
  if (inputs.length !== 1)
    throw new LowbitConfigError(`${name}.inputs`, inputs.length, 'expected exactly one input tensor');
  return inputs[0]!;
}

type TfjsInitializer = Parameters<tfl.layers.Layer['addWeight']>[3];

/** `addWeight` for quantizer state (tfjs keeps it protected). */
export function quantizerHostOf(layer: tfl.layers.Layer): QuantizerHost {
  const add = (layer as unknown as { addWeight: tfl.layers.Layer['addWeight'] }).addWeight.bind(layer);
  return {
    addWeight: (name, shape, dtype, initializer, regularizer, trainable) =>
      add(
        name,
        shape,
        dtype,
        resolveInitializer(initializer),
        regularizer as Parameters<tfl.layers.Layer['addWeight']>[4],
        trainable ?? false,
      ) as unknown as QuantizerVariable,
  };
}

/** Quantizers may name an initializer ('zeros', 'ones') or pass a tfjs Initializer. */
function resolveInitializer(initializer: unknown): TfjsInitializer {
  if (initializer === undefined || initializer === null) return tfl.initializers.zeros();
  if (typeof initializer === 'string') {
    const factory = (tfl.initializers as unknown as Record<string, ((a?: object) => TfjsInitializer) | undefined>)[
      initializer
    ];
    if (typeof factory !== 'function')
      throw new LowbitConfigError(
        'initializer',
        initializer,
        'expected a tfjs initializer name such as "zeros" or "ones"',
      );
    return factory({});
  }
  return initializer as TfjsInitializer;
}
