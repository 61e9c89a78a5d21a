/**
 * Class names of layers saved by earlier releases, kept loadable: each old name is registered
 * with tfjs serialization as a thin alias whose `fromConfig` turns the old config into the
 * generic layer with the right parts. A model re-saved after loading uses the new class names.
 *
 * ```ts
 * registerLayerAlias('LowbitLogDense', (config) => logDense(config as LogDenseArgs));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '../errors.js';

const aliases = new Map<string, (config: tf.serialization.ConfigDict) => tfl.layers.Layer>();

/** Registers `className` (an old layer class name) to deserialize through `toLayer`. */
export function registerLayerAlias(
  className: string,
  toLayer: (config: tf.serialization.ConfigDict) => tfl.layers.Layer,
): void {
  if (typeof className !== 'string' || !className.startsWith('Lowbit'))
    throw new LowbitConfigError('className', className, 'expected a lowbit class name');
  if (aliases.has(className)) return;
  aliases.set(className, toLayer);
  // Only `className` and `fromConfig` are read by tfjs's deserializer.
  const alias = {
    className,
    fromConfig: (_cls: unknown, config: tf.serialization.ConfigDict) => {
      const rest = { ...config };
      delete rest.customObjects;
      return toLayer(rest);
    },
  };
  tf.serialization.registerClass(
    alias as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
}

/** The old class names registered as aliases, sorted. */
export function layerAliases(): string[] {
  return [...aliases.keys()].sort();
}
