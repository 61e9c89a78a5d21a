import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import {
  channelGrid,
  crossEntropy,
  directCode,
  dqaActivation,
  dqaFakeQuant,
  dqaStorageReport,
  formatStorageReport,
  joinShiftError,
  rankAgreement,
  runLayers,
  signedCodeRange,
  splitShiftError,
  storageTotal,
  topChannels,
} from './index.js';

const params = { bits: 4, extraBits: 2, scales: [0.1, 0.2], important: [1] };

describe('dqa-activations rejects bad arguments with typed errors', () => {
  it('the scalar helpers', () => {
    expect(() => signedCodeRange(0)).toThrow(/bits = 0/);
    expect(() => directCode(Number.NaN, 0.1, 4)).toThrow(/value = NaN/);
    expect(() => directCode(0.3, 0, 4)).toThrow(/step = 0/);
    expect(() => splitShiftError(1.5, 2)).toThrow(/qPlus = 1.5/);
    expect(() => joinShiftError(1, 4, 2)).toThrow(/error = 4/);
    expect(joinShiftError(splitShiftError(-7, 2).code, splitShiftError(-7, 2).error, 2)).toBe(-7);
    expect(() => topChannels([1, Number.NaN], 1)).toThrow(/scores\[1\] = NaN/);
    expect(() => rankAgreement(null as never, [1], 1)).toThrow(/a = null/);
  });

  it('fake quantization checks the parameters and the channel count (no silent broadcast)', () => {
    expect(() => channelGrid({ channels: 1e9 } as never)).toThrow(LowbitConfigError);
    expect(() => dqaFakeQuant(tf.zeros([2, 3]), params)).toThrow(/x.shape = \[2, 3\] is invalid: expected 2 channels/);
    expect(() => dqaFakeQuant(tf.zeros([2, 2], 'int32'), params)).toThrow(/x.dtype/);
    const y = dqaFakeQuant(tf.tensor2d([[Number.NaN, 0.3]]), params);
    expect(Number.isNaN(y.dataSync()[0]!)).toBe(true); // documented: NaN stays NaN
    y.dispose();
  });

  it('layer chains: layers, ranges, labels, tfjs errors mapped to the layer', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    expect(() => runLayers(model.layers, tf.zeros([1, 3]), 0, 2)).toThrow(/to = 2/);
    expect(() => runLayers(model.layers, tf.zeros([1, 4]), 0, 1)).toThrow(/layers\[0\] input = \[1, 4\]/);
    expect(() => runLayers([{}] as never, tf.zeros([1, 3]), 0, 1)).toThrow(/layers\[0\]/);
    expect(() => crossEntropy(tf.zeros([2, 2]), tf.tensor1d([0, 1, 0], 'int32'), true)).toThrow(/labels.shape/);
  });

  it('storage rows: no NaN sentinels (null), empty or bad rows rejected', () => {
    const layer = dqaActivation({ outputBits: 4, scales: [0.1, 0.2] });
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] }), layer] });
    const rows = dqaStorageReport(model, tf.ones([4, 3]));
    expect(rows[0]!.errorBitsPerSymbol).toBeNull();
    expect(storageTotal(rows).errorEntropy).toBeNull();
    expect(formatStorageReport(rows)).toContain('| -');
    expect(() => storageTotal([])).toThrow(/rows = \[\]/);
    expect(() => formatStorageReport([{ ...rows[0]!, elements: 0 }])).toThrow(/rows\[0\].elements = 0/);
    expect(() => dqaStorageReport(model, tf.zeros([0, 3]))).toThrow(/non-empty/);
  });
});
