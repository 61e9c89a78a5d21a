import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { correctness, cosineSchedule, epochOrder, fitSeeded, stepSchedule } from './seeded-fit.js';

function tinyModel(seed: number) {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [4],
        units: 8,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
      tfl.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function data() {
  const n = 96;
  const xs = Float32Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 1.7));
  const labels = Int32Array.from({ length: n }, (_, i) => (xs[i * 4] > 0.3 ? 0 : xs[i * 4 + 1] > 0 ? 1 : 2));
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 3), labels };
}

describe('epochOrder', () => {
  it('is a permutation fixed by seed and epoch', () => {
    const o = epochOrder(100, 3, 2);
    expect([...o].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect(epochOrder(100, 3, 2)).toEqual(o);
    expect(epochOrder(100, 3, 1)).not.toEqual(o);
    expect(epochOrder(100, 4, 2)).not.toEqual(o);
  });
});

describe('schedules', () => {
  it('step and cosine', () => {
    const s = stepSchedule(0.1, { dropEvery: 2, factor: 0.5 });
    expect([0, 1, 2, 3, 4].map(s)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const c = cosineSchedule(1, 5, 0.1);
    expect(c(0)).toBeCloseTo(1, 12);
    expect(c(4)).toBeCloseTo(0.1, 12);
    expect(c(2)).toBeCloseTo(0.55, 12);
    expect(cosineSchedule(1, 5)(4)).toBeCloseTo(0.05, 12);
    expect(() => stepSchedule(0.1, { dropEvery: 0, factor: 0.5 })).toThrow(/dropEvery/);
  });
});

describe('fitSeeded', () => {
  it('repeats bit for bit with the same seed, learns, applies the schedule and leaks nothing', async () => {
    const { x, y, labels } = data();
    const run = async (seed: number, lr: (e: number) => number) => {
      const m = tinyModel(7);
      const curve = await fitSeeded(m, x, y, {
        epochs: 4,
        batchSize: 16,
        seed,
        learningRate: lr,
        validation: { x, labels },
      });
      const w = Array.from(m.getWeights()[0].dataSync());
      const right = correctness(m, x, labels, 40);
      m.optimizer.dispose(); // a passed-in optimizer is not the model's to dispose
      m.dispose();
      return { curve, w, right };
    };
    const before = tf.memory().numTensors;
    const a = await run(1, () => 0.02);
    const b = await run(1, () => 0.02);
    const c = await run(2, () => 0.02);
    const frozen = await run(1, () => 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(a.w).toEqual(b.w);
    expect(a.w).not.toEqual(c.w);
    expect(a.curve.map((r) => r.learningRate)).toEqual([0.02, 0.02, 0.02, 0.02]);
    expect(a.curve[3].loss).toBeLessThan(a.curve[0].loss);
    expect(a.curve[3].testAccuracy).toBeGreaterThan(0.6);
    expect(a.right.reduce((s, v) => s + v, 0) / 96).toBeCloseTo(a.curve[3].testAccuracy!, 12);
    // A zero learning rate leaves the weights where a fresh model starts.
    const fresh = tinyModel(7);
    expect(frozen.w).toEqual(Array.from(fresh.getWeights()[0].dataSync()));
    fresh.optimizer.dispose();
    fresh.dispose();
    tf.dispose([x, y]);
  });
  it('rejects an uncompiled model and bad options by name', async () => {
    const { x, y } = data();
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3 })] });
    await expect(fitSeeded(m, x, y, { epochs: 1, batchSize: 8, seed: 0, learningRate: () => 0.1 })).rejects.toThrow(
      /model/,
    );
    const c = tinyModel(1);
    await expect(fitSeeded(c, x, y, { epochs: 0, batchSize: 8, seed: 0, learningRate: () => 0.1 })).rejects.toThrow(
      /epochs/,
    );
    await expect(fitSeeded(c, x, y, { epochs: 1, batchSize: 8, seed: 0, learningRate: () => NaN })).rejects.toThrow(
      /learningRate/,
    );
    tf.dispose([x, y]);
    m.dispose();
    c.dispose();
  });
});
