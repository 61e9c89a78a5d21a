import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { quantActivation } from '@lowbit/quant-core';
import { defaultDqaLayers, topChannels } from './calibrate-dqa.js';
import { dqaActivation } from './dqa-activation.js';

describe('calibration helpers', () => {
  it('picks hidden layers ending in a non-linear activation by default', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 4, inputShape: [3], name: 'linear' }),
        tfl.layers.activation({ activation: 'tanh', name: 'tanh' }),
        tfl.layers.dense({ units: 4, activation: 'relu', name: 'relu_dense' }),
        tfl.layers.reLU({ name: 'relu_layer' }),
        tfl.layers.dropout({ rate: 0.5, name: 'drop' }),
        tfl.layers.dense({ units: 2, activation: 'relu', name: 'last' }),
      ],
    });
    expect(defaultDqaLayers(m.layers)).toEqual(['tanh', 'relu_dense', 'relu_layer']);
    m.dispose();
  });

  it('counts quantizing lowbit activation layers (WRPN-style) as activations, and skips DQA layers', () => {
    const wrpnAct = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 2, inputShape: [3], name: 'd1' }),
        quantActivation({ outputQuantizer: wrpnAct, name: 'wrpn_act' }),
        tfl.layers.dense({ units: 2, name: 'd2' }),
        quantActivation({ name: 'identity' }),
        dqaActivation({ outputBits: 4, scales: [0.1, 0.1], activation: 'relu', name: 'already_dqa' }),
        tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
      ],
    });
    expect(defaultDqaLayers(m.layers)).toEqual(['wrpn_act']);
    m.dispose();
  });

  it('takes the top channels by score, ties to the lower index, returned ascending', () => {
    expect(topChannels([0.1, 0.5, 0.5, -1, 0.3], 2)).toEqual([1, 2]);
    expect(topChannels([0.1, 0.5, 0.5, -1, 0.3], 3)).toEqual([1, 2, 4]);
    expect(topChannels([1, 1, 1], 1)).toEqual([0]);
    expect(topChannels([1, 2], 0)).toEqual([]);
  });
});
