import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { parseExperimentArgs } from './experiment-args.js';

const defaults = { calibrationImages: { quick: 128, full: 256 }, out: { quick: 'x-quick', full: 'x' } };

describe('parseExperimentArgs', () => {
  it('gives the shared defaults, the quick ones and the per-experiment ones', () => {
    expect(parseExperimentArgs([], defaults)).toEqual({
      quick: false,
      backend: null,
      trainImages: 0,
      testImages: 10000,
      calibrationImages: 256,
      seeds: [1, 2, 3],
      epochs: 6,
      batchSize: 256,
      learningRate: 2e-3,
      minLearningRate: 1e-4,
      resamples: 2000,
      out: 'x',
    });
    const q = parseExperimentArgs(['--quick'], defaults);
    expect(q).toMatchObject({
      trainImages: 3000,
      testImages: 2000,
      calibrationImages: 128,
      seeds: [1, 2],
      out: 'x-quick',
    });
    expect(parseExperimentArgs(['--seeds', '4,5', '--lr', '0.01', '--backend', 'cpu'], defaults)).toMatchObject({
      seeds: [4, 5],
      learningRate: 0.01,
      minLearningRate: 0.0005,
      backend: 'cpu',
    });
  });
  it('rejects bad values naming the flag', () => {
    expect(() => parseExperimentArgs(['--epochs', '0'], defaults)).toThrow(LowbitConfigError);
    expect(() => parseExperimentArgs(['--epochs', '0'], defaults)).toThrow(/--epochs/);
    expect(() => parseExperimentArgs(['--seeds', '1,1'], defaults)).toThrow(/--seeds/);
    expect(() => parseExperimentArgs(['--backend', 'gpu'], defaults)).toThrow(/--backend/);
    expect(() => parseExperimentArgs(['--lr', '2'], defaults)).toThrow(/--lr/);
  });
});
