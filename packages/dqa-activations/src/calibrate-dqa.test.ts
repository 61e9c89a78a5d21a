import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { defaultDqaLayers, topChannels } from './calibrate-dqa.js';

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

  it('takes the top channels by score, ties to the lower index, returned ascending', () => {
    expect(topChannels([0.1, 0.5, 0.5, -1, 0.3], 2)).toEqual([1, 2]);
    expect(topChannels([0.1, 0.5, 0.5, -1, 0.3], 3)).toEqual([1, 2, 4]);
    expect(topChannels([1, 1, 1], 1)).toEqual([0]);
    expect(topChannels([1, 2], 0)).toEqual([]);
  });
});
