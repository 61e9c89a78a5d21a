// What @lowbit/hw-model makes of the log layers' lowbitPrecision(): shifters and exponent adders.
import * as tfl from '@tensorflow/tfjs-layers';
import { summary } from '@lowbit/hw-model';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { logConv2d } from './log-conv2d.js';
import { logDense } from './log-dense.js';

describe('hw-model costs of log layers', () => {
  it('pow2 x int is a barrel shifter, pow2 x pow2 an exponent adder, both cheaper than float multiplies', () => {
    const model = tfl.sequential({
      layers: [
        logConv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', weightBits: 4, activationBits: 5, activationFsr: 0, linearActivations: true }),
        tfl.layers.flatten(),
        logDense({ units: 10, weightBits: 4, activationBits: 4 }),
      ],
    });
    const s = summary(model, { batchSize: 1 });
    const conv = s.layers.find((l) => l.className === 'LowbitLogConv2D');
    const dense = s.layers.find((l) => l.className === 'LowbitLogDense');
    expect(conv?.multiplier).toBe('barrel-shifter');
    expect(dense?.multiplier).toBe('exponent-adder');
    expect(s.ratios.vsFloat32.computePj).toBeLessThan(1);
    model.dispose();
  });
});
