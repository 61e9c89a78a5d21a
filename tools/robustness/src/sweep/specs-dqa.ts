/** Spec tables of @lowbit/dqa-activations' main entry. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as dqa from '@lowbit/dqa-activations';
import { layerInstances, quantizerInstances } from './specs-quant-core.js';
import { ramp } from './fixtures.js';
import type { PackageSpecs } from './spec.js';

const params = () => ({
  bits: 4,
  extraBits: 2,
  scales: [0.1, 0.2, 0.05],
  important: [1],
  tableGranularity: 'channel' as const,
});

export function dqaNet(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 3, inputShape: [4], activation: 'relu', kernelInitializer: 'ones', name: 'h' }),
      tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: 'ones', name: 'out' }),
    ],
  });
}
const data = () => ({ x: ramp([6, 4]), y: tf.tensor1d([0, 1, 0, 1, 1, 0], 'int32') });
const options = () => ({ bits: 4, extraBits: 2, importantFraction: 0.34, ranking: 'error-energy', batchSize: 4 });
let calibrationCache: dqa.DqaCalibration | null = null;
const calibration = () =>
  (calibrationCache ??= dqa.calibrateDqa(dqaNet(), { x: ramp([6, 4]) }, { bits: 4, ranking: 'error-energy' }));
const dqaLayer = () => dqa.dqaActivation({ outputBits: 4, extraBits: 2, scales: [0.1, 0.2, 0.05], important: [1] });
const storageRows = () => {
  const net = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4] }), dqaLayer()] });
  return dqa.dqaStorageReport(net, ramp([4, 4]));
};

const dqaTables = layerInstances(dqaLayer, 'N4 m2', [2, 3], 1);
// A DQA layer takes any rank >= 1 with 3 channels last ([3] and [1, 2, 3] are valid).
for (const t of dqaTables) t.bad = t.bad!.filter((b) => b.label !== 'rank one higher' && b.label !== 'rank one lower');

export const dqaSpecs: PackageSpecs = {
  signedCodeRange: { valid: () => [4] },
  directStep: { valid: () => [2.5, 4, 1], skip: { '2': ['undefined'] } },
  directCode: { valid: () => [0.7, 0.1, 4] },
  splitShiftError: { valid: () => [13, 2] },
  joinShiftError: { valid: () => [3, 1, 2] },
  checkDqaParams: {
    valid: () => [params(), 'dqaParams'],
    skip: { '1': ['undefined'], '0.tableGranularity': ['undefined'] },
  },
  channelGrid: { valid: () => [dqa.checkDqaParams(params())] },
  dqaFakeQuant: {
    valid: () => [ramp([2, 3]), params()],
    nanPropagates: 'dqa-quantize.ts docs: NaN activations stay NaN in the fake quantizer',
  },
  dqaQuantizeValues: { valid: () => [[0.1, -0.3, 0.05, 1, 2, -2], params()] },
  huffmanCodeLengths: { valid: () => [[5, 1, 0, 3], 15], skip: { '1': ['undefined'] } },
  canonicalCodes: { valid: () => [[1, 2, 0, 2]] },
  HuffmanTable: { valid: () => [[1, 2, 0, 2]] },
  huffmanEncodedBits: { valid: () => [[new dqa.HuffmanTable([1, 2, 0, 2])], [0, 1, 3]] },
  huffmanEncodeInto: {
    valid: () => [[new dqa.HuffmanTable([1, 2, 0, 2])], [0, 1, 3], new Uint8Array(8), 0],
    skip: { '3': ['undefined'] },
  },
  HuffmanTableSet: { valid: () => [Uint8Array.of(1, 2, 0, 2), 4] },
  entropyBits: { valid: () => [[5, 1, 0, 3]] },
  BitWriter: { valid: () => [64], skip: { '0': ['undefined'] } },
  reverseBits: {
    valid: () => [5, 3],
    bad: [
      { label: 'no arguments', args: () => [] },
      { label: "length 'nope'", args: () => [5, 'nope'] },
      { label: 'length 1e9', args: () => [5, 33] },
    ],
  },
  BitReader: { valid: () => [Uint8Array.of(0xab, 0xcd), 16] },
  encode: { valid: () => [ramp([2, 3]), params()] },
  encodeWithStats: { valid: () => [ramp([2, 3]), params()] },
  decodeActivations: { valid: () => [dqa.encode(ramp([2, 3]), params())] },
  decode: { valid: () => [dqa.encode(ramp([2, 3]), params())] },
  LowbitDqaQuantizer: {
    valid: () => [params()],
    skip: { '0.extraBits': ['undefined'], '0.important': ['undefined'], '0.tableGranularity': ['undefined'] },
    instances: quantizerInstances(
      () => new dqa.LowbitDqaQuantizer({ bits: 4, scales: [0.1, 0.2, 0.05] }),
      'N4',
      [2, 3],
    ),
  },
  dqaActivation: {
    valid: () => [{ outputBits: 4, extraBits: 2, scales: [0.1, 0.2, 0.05], important: [1], activation: 'relu' }],
    skip: { '0.extraBits': ['undefined'], '0.important': ['undefined'], '0.activation': ['undefined'] },
    instances: dqaTables,
  },
  isDqaLayer: { acceptsAnything: 'a type guard: true or false for any value' },
  dqaParamsOf: { valid: () => [dqaLayer()] },
  layerChain: { valid: () => [dqaNet()] },
  runLayers: { valid: () => [dqaNet().layers, ramp([2, 4]), 0, 2], skip: { '4': ['undefined'] } },
  oneHotLabels: { valid: () => [tf.tensor1d([0, 2, 1], 'int32'), 3] },
  crossEntropy: {
    valid: () => [
      tf.tensor2d([
        [0.2, 0.8],
        [0.6, 0.4],
      ]),
      tf.tensor1d([1, 0], 'int32'),
      true,
    ],
    nanPropagates: 'layer-chain.ts docs: NaN outputs or labels give a NaN loss',
  },
  scoreOutputs: {
    valid: () => [
      tf.tensor2d([
        [0.2, 0.8],
        [0.6, 0.4],
      ]),
      tf.tensor1d([1, 0], 'int32'),
      false,
    ],
    nanPropagates: 'layer-chain.ts docs: NaN outputs give a NaN loss',
  },
  defaultDqaLayers: { valid: () => [dqaNet().layers] },
  checkCalibrateOptions: { valid: () => [options(), ['tableGranularity']], skip: { '1': ['undefined', '[]'] } },
  topChannels: { valid: () => [[0.3, 0.9, 0.1], 2] },
  calibrateDqa: {
    valid: () => [dqaNet(), data(), options()],
    skip: {
      '1.y': ['undefined'],
      '2.extraBits': ['undefined'],
      '2.importantFraction': ['undefined'],
      '2.ranking': ['undefined'],
      '2.batchSize': ['undefined'],
    },
  },
  buildDqaModel: {
    valid: () => [dqaNet(), calibration(), { tableGranularity: 'layer' }],
    skip: { '2': ['undefined', '{}'], '2.tableGranularity': ['undefined'] },
  },
  applyDqa: {
    valid: () => [dqaNet(), data(), { ...options(), tableGranularity: 'channel' }],
    skip: {
      '1.y': ['undefined'],
      '2.extraBits': ['undefined'],
      '2.importantFraction': ['undefined'],
      '2.ranking': ['undefined'],
      '2.batchSize': ['undefined'],
      '2.tableGranularity': ['undefined'],
    },
  },
  dqaLayers: { valid: () => [dqaNet()] },
  rankAgreement: { valid: () => [[0.1, 0.5, 0.3], [0.2, 0.4, 0.1], 2] },
  dqaStorageReport: {
    valid: () => [
      tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4] }), dqaLayer()] }),
      ramp([4, 4]),
    ],
  },
  storageTotal: { valid: () => [storageRows()] },
  formatStorageReport: { valid: () => [storageRows()] },
};

/** dqa-activations files someone else edits right now: none (the codec's Huffman and bit-stream exports check their inputs). */
export const dqaPending = {};
