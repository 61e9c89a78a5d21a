import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import { LowbitWageOptimizer } from './optimizer.js';
import { sseLoss } from './train.js';
import { expectConfigError, expectDataError, rejectsConfigError, rejectsDataError } from './errors.fixture.js';
import { tinyData, tinyWageModel } from './tiny-model.fixture.js';

const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('LowbitWageOptimizer.quantizedUpdate (Q_G)', () => {
  it('rounds n = eta * g / Shift(max|g|) stochastically to integers times sigma(k_G)', () => {
    // max|g| = 0.6 -> Shift = 2^round(log2 0.6) = 0.5; x = [0.6, -1.2, 0.02, 0]; eta 8: n = [4.8, -9.6, 0.16, 0]
    const opt = new LowbitWageOptimizer({ learningRate: 8, gradientBits: 8, seed: 3 });
    const g = tf.tensor([0.3, -0.6, 0.01, 0]);
    for (let i = 0; i < 20; i++) {
      const units = plain(opt.quantizedUpdate(g)).map((v) => v * 128); // in units of sigma(8) = 2^-7
      expect([4, 5]).toContain(units[0]);
      expect([-9, -10]).toContain(units[1]);
      expect([0, 1]).toContain(units[2]);
      expect(units[3]).toBe(0);
    }
  });

  it('is unbiased: the mean of many updates equals sigma(k_G) * eta * g / Shift(max|g|)', () => {
    const opt = new LowbitWageOptimizer({ learningRate: 8, gradientBits: 8, seed: 11 });
    const base = [0.3, -0.6, 0.01, 0.45];
    const copies = 4000;
    const g = tf.tile(tf.tensor2d([base]), [copies, 1]);
    const dW = opt.quantizedUpdate(g);
    const mean = plain(tf.mean(dW, 0)).map((v) => v * 128);
    const expected = base.map((v) => (8 * v) / 0.5); // [4.8, -9.6, 0.16, 7.2]
    // Bernoulli std <= 0.5: the mean of 4000 draws is within 0.04 with overwhelming probability
    mean.forEach((m, i) => expect(Math.abs(m - expected[i])).toBeLessThan(0.04));
    // and the draws really vary (not deterministic rounding)
    const first = plain(tf.slice(dW, [0, 0], [copies, 1]));
    expect(new Set(first).size).toBe(2);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const g = tf.randomNormal([64], 0, 1, 'float32', 5);
    const a = plain(new LowbitWageOptimizer({ seed: 1 }).quantizedUpdate(g));
    const b = plain(new LowbitWageOptimizer({ seed: 1 }).quantizedUpdate(g));
    const c = plain(new LowbitWageOptimizer({ seed: 2 }).quantizedUpdate(g));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('gives zero for an all-zero gradient', () => {
    expect(plain(new LowbitWageOptimizer().quantizedUpdate(tf.zeros([3])))).toEqual([0, 0, 0]);
  });
});

describe('LowbitWageOptimizer.applyGradients', () => {
  it('subtracts dW and clips to +-(1 - sigma(k_W)) (deterministic case: integer n)', () => {
    const w = tf.variable(tf.tensor([0.5, -0.4, 0]), true, 'wage_test_w');
    // max|g| = 0.25 (a power of two): x = [-1, 1, 0.5]; eta 2: n = [-2, 2, 1], no fractional part
    const opt = new LowbitWageOptimizer({ learningRate: 2, gradientBits: 8, weightBits: 2 });
    opt.applyGradients({ wage_test_w: tf.tensor([-0.25, 0.25, 0.125]) });
    const v = plain(w);
    expect(v[0]).toBe(0.5); // 0.5 + 2/128 clipped to 1 - 0.5
    expect(v[1]).toBeCloseTo(-0.4 - 2 / 128, 6);
    expect(v[2]).toBe(-1 / 128);
    expect(opt.iterations).toBe(1);
    w.dispose();
    opt.dispose();
  });

  it('works with model.fit, keeps the weights on the k_G grid inside the clip, leaks no tensors', async () => {
    const model = tinyWageModel(2);
    const opt = new LowbitWageOptimizer({ learningRate: 8, gradientBits: 8, weightBits: 2, seed: 4 });
    model.compile({ optimizer: opt, loss: sseLoss });
    const { x, y } = tinyData(32);
    const before = model.getWeights().map(plain);
    await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    const count = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    expect(tf.memory().numTensors).toBe(count);
    const after = model.getWeights().map(plain);
    expect(after).not.toEqual(before);
    for (const w of after)
      for (const v of w) {
        expect(Number.isInteger(v * 128)).toBe(true);
        expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
      }
    expect(opt.iterations).toBe(4);
  });

  it('no tensor leaks across repeated steps', () => {
    const w = tf.variable(tf.randomNormal([10, 10], 0, 0.3, 'float32', 1), true, 'wage_leak_w');
    const opt = new LowbitWageOptimizer({ seed: 1 });
    const g = tf.randomNormal([10, 10], 0, 1, 'float32', 2);
    opt.applyGradients({ wage_leak_w: g });
    const count = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.applyGradients({ wage_leak_w: g });
    expect(tf.memory().numTensors).toBe(count);
    w.dispose();
  });
});

describe('LowbitWageOptimizer config and state', () => {
  it('serializes through the tfjs registry and restores the random stream position', async () => {
    const opt = new LowbitWageOptimizer({ learningRate: 0.125, gradientBits: 6, weightBits: 3, seed: 9 });
    expect(opt.getConfig()).toEqual({ learningRate: 0.125, gradientBits: 6, weightBits: 3, seed: 9 });
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap.LowbitWageOptimizer;
    expect(cls).toBe(LowbitWageOptimizer);
    const back = fromConfig(cls, opt.getConfig()) as LowbitWageOptimizer;
    expect(back).toBeInstanceOf(LowbitWageOptimizer);
    expect(back.getConfig()).toEqual(opt.getConfig());
    // a config saved by the previous release (bitsG, bitsW) still deserializes
    const old = fromConfig(cls, { learningRate: 1, bitsG: 6, bitsW: 3, seed: 2 }) as LowbitWageOptimizer;
    expect(old.getConfig()).toEqual({ learningRate: 1, gradientBits: 6, weightBits: 3, seed: 2 });

    const g = tf.randomNormal([50], 0, 1, 'float32', 3);
    opt.quantizedUpdate(g);
    const weights = await opt.getWeights();
    const resumed = new LowbitWageOptimizer(opt.getConfig() as never);
    await resumed.setWeights(weights);
    expect(resumed.rngCounter).toBe(50);
    expect(plain(resumed.quantizedUpdate(g))).toEqual(plain(opt.quantizedUpdate(g)));
    await expect(resumed.setWeights([weights[0], { name: 'other', tensor: tf.tensor1d([1, 2, 3]) }])).rejects.toThrow(
      LowbitDataError,
    );
  });

  it('rejects bad bit widths, bad eta and bad gradients', () => {
    expect(() => new LowbitWageOptimizer({ gradientBits: 1 })).toThrow(LowbitConfigError);
    expect(() => new LowbitWageOptimizer({ gradientBits: 17 })).toThrow(/gradientBits/);
    expect(() => new LowbitWageOptimizer({ weightBits: 0 })).toThrow(/weightBits/);
    expect(() => new LowbitWageOptimizer({ bitsG: 8 } as never)).toThrow(/bitsG.*renamed: use gradientBits/);
    expect(() => new LowbitWageOptimizer({ bitsW: 2 } as never)).toThrow(/renamed: use weightBits/);
    for (const eta of [0, -1, Number.NaN, Infinity, 2 ** 17, '8']) {
      expect(() => new LowbitWageOptimizer({ learningRate: eta as number })).toThrow(/learningRate/);
    }
    const opt = new LowbitWageOptimizer();
    expect(() => {
      opt.learningRate = -0.5;
    }).toThrow(LowbitConfigError);
    expect(opt.learningRate).toBe(8);
    expect(() => new LowbitWageOptimizer({ lr: 8 } as never)).toThrow(/lr/);
    expect(() => opt.quantizedUpdate(tf.tensor([1], [1], 'int32'))).toThrow(/gradient/);
    expect(() => opt.applyGradients({ no_such_variable_xyz: tf.tensor([1]) })).toThrow(/no_such_variable_xyz/);
  });
});

describe('LowbitWageOptimizer input checks', () => {
  it('quantizedUpdate rejects NaN / Infinity gradients (LowbitDataError naming gradient) and non-tensors', () => {
    const opt = new LowbitWageOptimizer({ seed: 1 });
    expectDataError(() => opt.quantizedUpdate(tf.tensor([0.5, Number.NaN])), 'gradient');
    expectDataError(() => opt.quantizedUpdate(tf.tensor([Infinity, 0])), 'gradient');
    expectConfigError(() => opt.quantizedUpdate(undefined as never), 'gradient');
    expect(opt.rngCounter).toBe(0); // nothing drawn for a rejected gradient
  });

  it('applyGradients checks every gradient before changing any weight', () => {
    const a = tf.variable(tf.fill([2], 0.25), true, 'wage_opt_check_a');
    const b = tf.variable(tf.fill([3], 0.25), true, 'wage_opt_check_b');
    const opt = new LowbitWageOptimizer({ learningRate: 1, seed: 2 });
    const before = tf.memory().numTensors;
    // b's NaN gradient comes second: a must stay unchanged too
    expectDataError(
      () => opt.applyGradients({ [a.name]: tf.tensor([0.5, 0.5]), [b.name]: tf.tensor([0, Number.NaN, 0]) }),
      `variableGradients.${b.name}`,
    );
    expectConfigError(
      () =>
        opt.applyGradients([
          { name: a.name, tensor: tf.tensor([0.5, 0.5]) },
          { name: b.name, tensor: tf.zeros([2]) },
        ]),
      'variableGradients[1].tensor.shape',
    );
    expectConfigError(
      () => opt.applyGradients({ [a.name]: tf.tensor([1, 1], [2], 'int32') }),
      `variableGradients.${a.name}.dtype`,
    );
    expectConfigError(() => opt.applyGradients({ [a.name]: 0.5 as never }), `variableGradients.${a.name}`);
    expectConfigError(() => opt.applyGradients([null as never]), 'variableGradients[0]');
    for (const bad of [undefined, null, 'nope', tf.zeros([2])]) {
      expectConfigError(() => opt.applyGradients(bad as never), 'variableGradients');
    }
    expect(plain(a)).toEqual([0.25, 0.25]);
    expect(plain(b)).toEqual([0.25, 0.25, 0.25]);
    expect(opt.iterations).toBe(0);
    expect(opt.rngCounter).toBe(0);
    // the 6 tensors made as arguments above (2 + 2 + int32 + zeros) are the only new ones: the checks leak nothing
    expect(tf.memory().numTensors - before).toBe(6);
    // entries without a gradient are skipped, as tfjs does
    opt.applyGradients([{ name: a.name, tensor: undefined as never }]);
    expect(opt.iterations).toBe(1);
    tf.dispose([a, b]);
  });

  it('setWeights rejects what getWeights cannot have written', async () => {
    const opt = new LowbitWageOptimizer({ seed: 3 });
    const counter = (lo: number, hi: number) => ({ name: 'wage_rng_counter', tensor: tf.tensor1d([lo, hi], 'int32') });
    const iter = (n: number) => ({ name: 'iter', tensor: tf.scalar(n) });
    for (const bad of [undefined, null, [], 'nope', {}]) {
      await rejectsConfigError(() => opt.setWeights(bad as never), 'weightValues');
    }
    await rejectsConfigError(() => opt.setWeights([iter(0), null as never]), 'weightValues[1]');
    await rejectsConfigError(() => opt.setWeights([{ name: 'iter', tensor: 4 as never }]), 'weightValues[0].tensor');
    await rejectsDataError(() => opt.setWeights([iter(Number.NaN)]), 'LowbitWageOptimizer.setWeights');
    await rejectsDataError(() => opt.setWeights([iter(-2), counter(1, 0)]), 'LowbitWageOptimizer.setWeights');
    await rejectsDataError(() => opt.setWeights([iter(1), counter(-1, 0)]), 'LowbitWageOptimizer.setWeights');
    await opt.setWeights([iter(7), counter(12, 0)]);
    expect(opt.iterations).toBe(7);
    expect(opt.rngCounter).toBe(12);
  });
});
