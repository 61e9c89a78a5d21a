/** Spec tables of @lowbit/wrpn-layers' main entry (the generic layers it re-exports are swept under quant-core too). */
import * as tfl from '@tensorflow/tfjs-layers';
import * as wrpn from '@lowbit/wrpn-layers';
import { quantCoreSpecs, layerInstances } from './specs-quant-core.js';
import type { PackageSpecs } from './spec.js';

const spec = (): wrpn.NetSpec => ({
  inputShape: [6, 6, 1],
  layers: [
    { type: 'conv2d', name: 'c1', filters: 2, kernelSize: 3, padding: 'same' },
    { type: 'maxPool', name: 'p1', poolSize: 2 },
    { type: 'flatten', name: 'f' },
    { type: 'dense', name: 'out', units: 2 },
  ],
});
const policy = () => wrpn.wrpnPolicy({ weightBits: 4, inputBits: 4, firstLastBits: 8 });
const tinyModel = () =>
  tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2] }), tfl.layers.dense({ units: 2 })] });

const denseTables = layerInstances(
  () => wrpn.wrpnDense({ units: 2, weightBits: 4, inputBits: 4, width: 2 }),
  'w4a4 x2',
  [2, 3],
  1,
  ['apply', 'integerForward'],
);
for (const t of denseTables) t.bad = t.bad!.filter((b) => b.label !== 'rank one higher');
const convTables = layerInstances(
  () => wrpn.wrpnConv2d({ filters: 2, kernelSize: 2, weightBits: 2, inputBits: 4 }),
  'w2a4',
  [1, 4, 4, 2],
  3,
  ['apply', 'integerForward'],
);
const actTables = layerInstances(() => wrpn.wrpnActivation({ outputBits: 4 }), 'a4', [2, 3], 1);
for (const t of actTables)
  t.bad = t.bad!.filter((b) => !['wrong channel count', 'rank one higher', 'rank one lower'].includes(b.label));

export const wrpnSpecs: PackageSpecs = {
  quantDense: quantCoreSpecs.quantDense!,
  quantConv2d: quantCoreSpecs.quantConv2d!,
  quantDepthwiseConv2d: quantCoreSpecs.quantDepthwiseConv2d!,
  quantActivation: quantCoreSpecs.quantActivation!,
  LowbitQuantActivation: quantCoreSpecs.LowbitQuantActivation!,
  LowbitQuantDense: quantCoreSpecs.LowbitQuantDense!,
  LowbitQuantConv2D: quantCoreSpecs.LowbitQuantConv2D!,
  LowbitQuantDepthwiseConv2D: quantCoreSpecs.LowbitQuantDepthwiseConv2D!,
  wrpnQuantizerConfig: { valid: () => [4, 'activation'] },
  wrpnActivation: {
    valid: () => [{ outputBits: 4, name: 'act' }],
    skip: { '0.name': ['undefined'] },
    instances: actTables,
  },
  isWrpnActivation: { acceptsAnything: 'a type guard: true or false for any value' },
  wrpnDense: {
    valid: () => [{ units: 2, weightBits: 4, inputBits: 4, width: 2 }],
    skip: { '0.inputBits': ['undefined'], '0.width': ['undefined'] },
    instances: denseTables,
  },
  wrpnConv2d: {
    valid: () => [{ filters: 2, kernelSize: 2, weightBits: 2, inputBits: 32 }],
    skip: { '0.inputBits': ['undefined'] },
    instances: convTables,
  },
  checkBits: { valid: () => ['weightBits', 4] },
  wrpnPolicy: {
    valid: () => [{ weightBits: 2, inputBits: 4, firstLastBits: null, overrides: { c1: 8, out: { weightBits: 4 } } }],
    skip: { '0.firstLastBits': ['undefined', 'null'], '0.overrides': ['undefined'] },
  },
  lenetSpec: {
    valid: () => [{ conv1: 2, conv2: 2, fc: 4, classes: 3, inputShape: [12, 12, 1] }],
    skip: {
      '0': ['undefined', '{}'],
      '0.conv1': ['undefined'],
      '0.conv2': ['undefined'],
      '0.fc': ['undefined'],
      '0.classes': ['undefined'],
      '0.inputShape': ['undefined'],
    },
  },
  checkWidth: { valid: () => [2] },
  lastWeightLayerIndex: { valid: () => [spec()] },
  checkNetSpec: { valid: () => ['spec', spec()] },
  widenSpec: { valid: () => [spec(), 2] },
  widen: { valid: () => [tinyModel(), 2] },
  buildWrpnNet: {
    valid: () => [spec(), { policy: policy(), seed: 3, batchNorm: true, parts: () => null }],
    skip: { '1.seed': ['undefined'], '1.batchNorm': ['undefined'], '1.parts': ['undefined'] },
  },
  buildWrpnLenet: {
    valid: () => [{ conv1: 2, conv2: 2, fc: 4, classes: 3, inputShape: [20, 20, 1], width: 1, policy: policy() }],
    skip: {
      '0.conv1': ['undefined'],
      '0.conv2': ['undefined'],
      '0.fc': ['undefined'],
      '0.classes': ['undefined'],
      '0.inputShape': ['undefined'],
      '0.width': ['undefined'],
    },
  },
};

export const wrpnPending = {};
