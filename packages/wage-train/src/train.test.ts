import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { predictClasses, sseLoss, trainWage, wageErrorRate, wageSchedule } from './train.js';
import { tinyData, tinyWageModel } from './tiny-model.fixture.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('sseLoss', () => {
  it('is 0.5 * sum of squared differences over the whole batch', () => {
    const loss = sseLoss(
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      tf.tensor2d([
        [0.5, 0.25],
        [-1, 1],
      ]),
    );
    expect(loss.dataSync()[0]).toBe(0.5 * (0.25 + 0.0625 + 1 + 0));
  });
});

describe('wageSchedule', () => {
  it('splits epochs 2/3, 1/6, 1/6 with eta 8, 1, 1/8 (the authors 200/50/50 of 300)', () => {
    expect(wageSchedule(300)).toEqual([
      { epochs: 200, learningRate: 8 },
      { epochs: 50, learningRate: 1 },
      { epochs: 50, learningRate: 0.125 },
    ]);
    expect(wageSchedule(6).map((s) => s.epochs)).toEqual([4, 1, 1]);
    expect(wageSchedule(1)).toEqual([{ epochs: 1, learningRate: 8 }]);
    expect(() => wageSchedule(0)).toThrow(LowbitConfigError);
  });
});

describe('trainWage', () => {
  it('learns a separable task and is deterministic for a seed (bit-identical weights)', async () => {
    const { x, y, labels } = tinyData(96);
    const run = async (seed: number) => {
      const model = tinyWageModel(5);
      const errorBefore = wageErrorRate(model, x, labels);
      const history = await trainWage(model, x, y, { epochs: 3, batchSize: 16, seed });
      return { model, history, errorBefore, errorAfter: wageErrorRate(model, x, labels) };
    };
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(a.history.map((h) => h.learningRate)).toEqual([8, 8, 1]);
    expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
    expect(a.model.getWeights().map(plain)).toEqual(b.model.getWeights().map(plain));
    expect(c.model.getWeights().map(plain)).not.toEqual(a.model.getWeights().map(plain));
    expect(a.errorAfter).toBeLessThan(0.1);
    expect(a.errorAfter).toBeLessThan(a.errorBefore);
    expect(a.history[2].loss).toBeLessThan(a.history[0].loss);
    // weights stay integers times sigma(k_G) = 2^-7 within the clip range +-0.5
    for (const w of a.model.getWeights())
      for (const v of plain(w)) {
        expect(Number.isInteger(v * 128)).toBe(true);
        expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
      }
  });

  it('leaks no tensors across training steps', async () => {
    const { x, y } = tinyData(32);
    const model = tinyWageModel(1);
    await trainWage(model, x, y, { epochs: 1, batchSize: 16 });
    const count = tf.memory().numTensors;
    await trainWage(model, x, y, { schedule: [{ epochs: 2, learningRate: 1 }], batchSize: 8 });
    expect(tf.memory().numTensors).toBe(count);
  });

  it('honours maxBatchesPerEpoch and reports batches', async () => {
    const { x, y } = tinyData(64);
    const seen: number[] = [];
    const history = await trainWage(tinyWageModel(1), x, y, {
      epochs: 1,
      batchSize: 8,
      maxBatchesPerEpoch: 3,
      onBatchEnd: (_e, b) => {
        seen.push(b);
      },
    });
    expect(history[0].batches).toBe(3);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('rejects bad input', async () => {
    const { x, y, labels } = tinyData(8);
    const model = tinyWageModel(1);
    await expect(trainWage(model, x, y, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(trainWage(model, x, y, { epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(trainWage(model, x, y, { schedule: [{ epochs: 1, learningRate: 0 }] })).rejects.toThrow(
      /learningRate/,
    );
    await expect(trainWage(model, x, y, { schedule: [] })).rejects.toThrow(/schedule/);
    await expect(trainWage(model, x, y, { gradientBits: 1 })).rejects.toThrow(/gradientBits/);
    await expect(trainWage(model, x, y, { bitsW: 2 } as never)).rejects.toThrow(/renamed: use weightBits/);
    await expect(trainWage(model, x, tf.slice(y, 0, 4), {})).rejects.toThrow(LowbitConfigError);
    await expect(trainWage(model, tf.cast(x, 'int32'), y, {})).rejects.toThrow(/x/);
    await expect(trainWage(model, x, labels as never, {})).rejects.toThrow(/one-hot/);
    await expect(trainWage(model, x, y, { epoch: 3 } as never)).rejects.toThrow(/epoch/);
    expect(() => wageErrorRate(model, x, tf.slice(labels, 0, 3))).toThrow(/labels/);
    expect(() => predictClasses(model, x, 0)).toThrow(/batchSize/);
  });
});
