/** Package-internal argument check shared by the layer-chain helpers and calibration. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError } from '@lowbit/quant-core';

/** An array of tfjs layers. */
export function checkLayers(argument: string, layers: unknown): tfl.layers.Layer[] {
  if (!Array.isArray(layers)) throw new LowbitConfigError(argument, layers, 'expected an array of tfjs layers');
  layers.forEach((l, i) => {
    const layer = l as { apply?: unknown; getConfig?: unknown; getClassName?: unknown } | null;
    if (
      layer === null ||
      typeof layer !== 'object' ||
      typeof layer.apply !== 'function' ||
      typeof layer.getConfig !== 'function' ||
      typeof layer.getClassName !== 'function'
    ) {
      throw new LowbitConfigError(`${argument}[${i}]`, l, 'expected a tfjs layer');
    }
  });
  return layers as tfl.layers.Layer[];
}
