// What @lowbit/hw-model makes of the log layers' lowbitPrecision(): the shift arithmetic is a barrel
// shifter (log kernel x fixed-point input) or an exponent adder (log x log), log-domain
// accumulation a log register.
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
        logConv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          weightBits: 4,
          inputBits: 5,
          inputFsr: 0,
          linearInput: true,
          arithmetic: 'shift',
          name: 'conv',
        }),
        tfl.layers.flatten(),
        logDense({ units: 10, weightBits: 4, inputBits: 4, arithmetic: 'shift', name: 'fc' }),
        logDense({ units: 3, weightBits: 4, inputBits: 4, arithmetic: 'log-accumulate', name: 'logits' }),
      ],
    });
    const s = summary(model, { batchSize: 1 });
    const row = (name: string) => s.layers.find((l) => l.name === name);
    expect(row('conv')?.multiplier).toBe('barrel-shifter');
    expect(row('conv')?.arithmetic).toEqual({ multiply: 'shift', name: 'shift' });
    expect(row('fc')?.multiplier).toBe('exponent-adder');
    expect(row('logits')?.multiplier).toBe('exponent-adder');
    expect(row('logits')?.accumulator?.kind).toBe('log');
    expect(s.ratios.vsFloat32.computePj).toBeLessThan(1);
    model.dispose();
  });
});
