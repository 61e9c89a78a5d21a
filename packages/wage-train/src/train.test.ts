import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { predictClasses, sseLoss, trainWage, wageErrorRate, wageSchedule, type WageEpochResult } from './train.js';
import { tinyData, tinyWageModel } from './tiny-model.fixture.js';
import { wageActivation, wageErrorQuantizer } from './activation.js';
import { wageDense } from './wage-layers.js';
import { expectConfigError, expectDataError, rejectsConfigError, rejectsDataError } from './errors.fixture.js';

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

  it('reports each epoch as it ends, after its batches, with the entry it returns', async () => {
    const { x, y } = tinyData(32);
    const events: string[] = [];
    const ended: WageEpochResult[] = [];
    const history = await trainWage(tinyWageModel(1), x, y, {
      epochs: 2,
      batchSize: 16,
      onBatchEnd: (e, b) => {
        events.push(`batch ${e}.${b}`);
      },
      onEpochEnd: (r) => {
        events.push(`epoch ${r.epoch}`);
        ended.push(r);
      },
    });
    expect(events).toEqual(['batch 0.0', 'batch 0.1', 'epoch 0', 'batch 1.0', 'batch 1.1', 'epoch 1']);
    expect(ended).toEqual(history);
    await rejectsConfigError(() => trainWage(tinyWageModel(1), x, y, { onEpochEnd: 'no' as never }), 'onEpochEnd');
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

describe('input checks of the training and evaluation helpers', () => {
  const mlp = () =>
    tfl.sequential({
      layers: [
        wageActivation({ inputShape: [4], relu: false, errorBits: null }),
        wageDense({ units: 2, weightBits: 2, seed: 1 }),
        wageErrorQuantizer({ errorBits: 8 }),
      ],
    });
  const x = () => tf.tensor2d([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0], [2, 4]);
  const y = () => tf.tensor2d([1, 0, 0, 1], [2, 2]);

  it('sseLoss takes two float32 tensors of one shape; NaN gives NaN (documented)', () => {
    expectConfigError(() => sseLoss(null as never, y()), 'yTrue');
    expectConfigError(() => sseLoss(y(), {} as never), 'yPred');
    expectConfigError(() => sseLoss(tf.zeros([2, 2], 'int32'), y()), 'yTrue.dtype');
    expectConfigError(() => sseLoss(y(), tf.zeros([2, 3])), 'yPred.shape');
    expectConfigError(() => sseLoss(y(), tf.zeros([2])), 'yPred.shape'); // no broadcasting
    expect(sseLoss(y(), tf.tensor2d([Number.NaN, 0, 0, 1], [2, 2])).dataSync()[0]).toBeNaN();
  });

  it('trainWage rejects a bad model, shapes and callbacks before training', async () => {
    const model = mlp();
    const weights = model.getWeights().map(plain);
    for (const bad of [null, undefined, {}, 'nope', tf.zeros([2])]) {
      await rejectsConfigError(() => trainWage(bad as never, x(), y(), {}), 'model');
    }
    await rejectsConfigError(() => trainWage(model, tf.zeros([2, 5]), y(), {}), 'x.shape');
    await rejectsConfigError(() => trainWage(model, undefined as never, y(), {}), 'x');
    await rejectsConfigError(() => trainWage(model, x(), tf.zeros([2, 3]), {}), 'y.shape');
    await rejectsConfigError(() => trainWage(model, x(), y(), { onBatchEnd: 3 as never }), 'onBatchEnd');
    await rejectsConfigError(() => trainWage(model, x(), y(), { schedule: [null as never] }), 'schedule[0]');
    await rejectsConfigError(
      () => trainWage(model, x(), y(), { schedule: [{ epochs: 1, learningRate: Number.NaN }] }),
      'schedule[0].learningRate',
    );
    expect(model.getWeights().map(plain)).toEqual(weights);
  });

  it('trainWage refuses NaN or Infinity in the data, leaving the weights and the tensor count alone', async () => {
    const model = mlp();
    const weights = model.getWeights().map(plain);
    const nanX = tf.tensor2d([Number.NaN, 0, 0, 0, 0, 0, 0, 0], [2, 4]);
    const infY = tf.tensor2d([Infinity, 0, 0, 1], [2, 2]);
    const goodX = x();
    const goodY = y();
    const before = tf.memory().numTensors;
    await rejectsDataError(() => trainWage(model, nanX, goodY, { epochs: 1 }), 'x');
    await rejectsDataError(() => trainWage(model, goodX, infY, { epochs: 1 }), 'y');
    expect(tf.memory().numTensors).toBe(before);
    expect(model.getWeights().map(plain)).toEqual(weights);
  });

  it('predictClasses and wageErrorRate check the model, x, labels, and NaN', () => {
    const model = mlp();
    expect(Array.from(predictClasses(model, x(), 1))).toHaveLength(2);
    expect(wageErrorRate(model, x(), tf.tensor1d([0, 1], 'int32'))).toBeGreaterThanOrEqual(0);
    expectConfigError(() => predictClasses(null as never, x()), 'model');
    expectConfigError(() => predictClasses(model, tf.zeros([2, 5])), 'x.shape');
    expectConfigError(() => predictClasses(model, [[0, 0, 0, 0]] as never), 'x');
    expectDataError(() => predictClasses(model, tf.tensor2d([Number.NaN, 0, 0, 0], [1, 4])), 'x');
    expectConfigError(() => wageErrorRate({ predict: 1 } as never, x(), tf.tensor1d([0, 1], 'int32')), 'model');
    expectConfigError(() => wageErrorRate(model, x(), tf.tensor1d([0, 1])), 'labels'); // float labels
    expectConfigError(() => wageErrorRate(model, x(), undefined as never), 'labels');
    expectDataError(
      () => wageErrorRate(model, tf.tensor2d([0, 0, 0, 0, Number.NaN, 0, 0, 0], [2, 4]), tf.tensor1d([0, 1], 'int32')),
      'x',
    );
  });

  it('predictClasses throws instead of picking a class when the output is not finite (diverged weights)', () => {
    const model = mlp();
    const kernel = model.layers[1].getWeights()[0];
    model.layers[1].setWeights([tf.fill(kernel.shape, Number.NaN)]);
    expectDataError(() => predictClasses(model, x()), 'predictClasses');
  });

  it('trainWage stops at a NaN gradient (a diverged model) with a typed error and no leaked tensors', async () => {
    const model = mlp();
    const kernel = model.layers[1].getWeights()[0];
    model.layers[1].setWeights([tf.fill(kernel.shape, Number.NaN)]);
    const goodX = x();
    const goodY = y();
    const before = tf.memory().numTensors;
    const name = (model.layers[1].trainableWeights[0].read() as tf.Variable).name;
    await rejectsDataError(() => trainWage(model, goodX, goodY, { epochs: 1 }), `variableGradients.${name}`);
    expect(tf.memory().numTensors).toBe(before);
  });
});
