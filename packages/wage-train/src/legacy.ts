/**
 * Models saved by the release before the generic layers hold `LowbitWageDense`,
 * `LowbitWageConv2D`, `LowbitWageActivation` and `LowbitWageErrorQuantizer` layers. The four
 * names stay loadable: they are registered as layer aliases whose configs are converted here and
 * built with `wageDense`, `wageConv2d`, `wageActivation` and `wageErrorQuantizer` (re-saved, the
 * model uses the generic class names and WAGE's parts).
 *
 * The conversion renames `bitsW` -> `weightBits`, `bitsA` -> `outputBits`, `bitsE` -> `errorBits`
 * (`inputBits`, `seed` and `relu` keep their names). A saved weight layer's kernel comes from the
 * weights file, so its initializer only matters if the model is rebuilt; the old layers saved a
 * user-given `kernelInitializer` and snapped it to the grid, which the new initializer's `base`
 * does too.
 *
 * ```ts
 * const model = await loadModel('tools/fixtures/v0/LowbitWageDense'); // a LowbitQuantDense inside
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { registerLayerAlias } from '@lowbit/quant-core';
import {
  wageActivation,
  wageErrorQuantizer,
  type WageActivationArgs,
  type WageErrorQuantizerArgs,
} from './activation.js';
import { RENAMED_WAGE_OPTIONS } from './bits.js';
import { wageConv2d, wageDense, type WageConv2DArgs, type WageDenseArgs } from './wage-layers.js';

/** The arguments of the WAGE factories for a layer config saved by the previous release. */
export function fromLegacyWageConfig(config: tf.serialization.ConfigDict): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const [old, now] of Object.entries(RENAMED_WAGE_OPTIONS)) {
    if (old in out) {
      if (out[now] === undefined) out[now] = out[old];
      delete out[old];
    }
  }
  // The old layers always saved their seed; with a user-given initializer it was unused.
  if (out.kernelInitializer != null) delete out.seed;
  return out;
}

registerLayerAlias('LowbitWageDense', (config) => wageDense(fromLegacyWageConfig(config) as unknown as WageDenseArgs));
registerLayerAlias('LowbitWageConv2D', (config) =>
  wageConv2d(fromLegacyWageConfig(config) as unknown as WageConv2DArgs),
);
registerLayerAlias('LowbitWageActivation', (config) =>
  wageActivation(fromLegacyWageConfig(config) as unknown as WageActivationArgs),
);
registerLayerAlias('LowbitWageErrorQuantizer', (config) =>
  wageErrorQuantizer(fromLegacyWageConfig(config) as unknown as WageErrorQuantizerArgs),
);
