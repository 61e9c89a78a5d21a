/**
 * Spec tables of the two packages whose ports landed while this sweep was written (wage-train,
 * fames-appmul). Their files belong to their porters: every finding is reported, none fails the
 * test (`pending: '*'`).
 */
import * as fames from '@lowbit/fames-appmul';
import * as wage from '@lowbit/wage-train';
import { layerInstances, quantizerInstances } from './specs-quant-core.js';
import type { PackageSpecs } from './spec.js';

const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };
const aQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const mul = 'trunc3_a4u_w4s';

const noHigherRank = <T extends { bad?: { label: string }[] }>(tables: T[]) => {
  for (const t of tables) t.bad = t.bad!.filter((b) => b.label !== 'rank one higher');
  return tables;
};
const anyShape = <T extends { bad?: { label: string }[] }>(tables: T[]) => {
  const skip = ['wrong channel count', 'rank one higher', 'rank one lower'];
  for (const t of tables) t.bad = t.bad!.filter((b) => !skip.includes(b.label));
  return tables;
};

export const wageSpecs: PackageSpecs = {
  wageDense: {
    valid: () => [{ units: 3, weightBits: 2, seed: 3 }],
    instances: noHigherRank(
      layerInstances(() => wage.wageDense({ units: 3, weightBits: 2, seed: 3 }), 'W2', [2, 4], 1),
    ),
  },
  wageConv2d: {
    valid: () => [{ filters: 2, kernelSize: 2, weightBits: 2, seed: 2 }],
    instances: layerInstances(
      () => wage.wageConv2d({ filters: 2, kernelSize: 2, weightBits: 2, seed: 2 }),
      'W2',
      [1, 4, 4, 2],
      3,
    ),
  },
  wageActivation: {
    valid: () => [{ outputBits: 8, errorBits: 8 }],
    instances: anyShape(layerInstances(() => wage.wageActivation({ outputBits: 8, errorBits: 8 }), 'A8 E8', [2, 3], 1)),
  },
  isWageLayer: { acceptsAnything: 'a type guard: true or false for any value' },
  LowbitWageActivationQuantizer: {
    valid: () => [{ bits: 8, errorBits: 8, signed: false }],
    instances: quantizerInstances(() => new wage.LowbitWageActivationQuantizer({ bits: 8, errorBits: 8 }), 'A8 E8'),
  },
  LowbitWagePassThroughQuantizer: {
    valid: () => [{ bits: 8, signed: true }],
    instances: quantizerInstances(() => new wage.LowbitWagePassThroughQuantizer({ bits: 8 }), '8 bits'),
  },
};

export const famesSpecs: PackageSpecs = {
  appMulDense: {
    valid: () => [{ units: 3, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mul }],
    instances: noHigherRank(
      layerInstances(
        () => fames.appMulDense({ units: 3, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mul }),
        mul,
        [2, 4],
        1,
      ),
    ),
  },
  appMulConv2d: {
    valid: () => [{ filters: 2, kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mul }],
    instances: layerInstances(
      () => fames.appMulConv2d({ filters: 2, kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mul }),
      mul,
      [1, 4, 4, 2],
      3,
    ),
  },
  appMulDepthwiseConv2d: {
    valid: () => [{ kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mul }],
    instances: layerInstances(
      () => fames.appMulDepthwiseConv2d({ kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mul }),
      mul,
      [1, 4, 4, 2],
      3,
    ),
  },
};
