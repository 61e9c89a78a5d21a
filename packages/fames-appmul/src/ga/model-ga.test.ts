import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import '../index.js';
import { appMulDense } from '../layers/appmul-dense.js';
import { multiplierOf, setMultiplier } from '../layers/set-multiplier.js';
import { appMulLibrary } from '../library.js';
import { measuredLossChange, selectMultipliersGa, type GaLayer } from './model-ga.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };

function setup() {
  const l1 = appMulDense({
    units: 6,
    inputShape: [8],
    activation: 'relu',
    inputQuantizer: actQ,
    kernelQuantizer: wQ,
    kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }),
  });
  const l2 = appMulDense({
    units: 3,
    inputQuantizer: actQ,
    kernelQuantizer: wQ,
    kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }),
  });
  const model = tfl.sequential({ layers: [l1, l2] });
  const x = tf.randomUniform([16, 8], 0, 1, 'float32', 3);
  const labels = tf.oneHot(tf.argMax(model.predict(x) as tf.Tensor, 1), 3);
  const loss = (y: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
  const lib = appMulLibrary({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true } });
  // 6 candidates per layer (exact first): 36 assignments, so exhaustive search is cheap.
  const pick = [0, 2, 5, 8, 11, 14].map((i) => lib[i]);
  const layers: GaLayer[] = [
    { layer: l1, multipliers: pick, multiplications: 48 },
    { layer: l2, multipliers: pick, multiplications: 18 },
  ];
  return { model, l1, l2, x, labels, loss, layers, dispose: () => tf.dispose([x, labels]) };
}

describe('selectMultipliersGa', () => {
  it('finds the optimum of exhaustive search over measured losses on a tiny model', () => {
    const { model, x, loss, layers, dispose } = setup();
    const { evaluate } = measuredLossChange(model, layers, x, loss);
    const energy = (c: number[]) =>
      c.reduce((s, j, l) => s + layers[l].multiplications * layers[l].multipliers[j].energyPj, 0);
    const all: { c: number[]; e: number; loss: number }[] = [];
    for (let i = 0; i < 36; i++) {
      const c = [i % 6, Math.floor(i / 6)];
      all.push({ c, e: energy(c), loss: evaluate(c) });
    }
    const losses = all.map((r) => r.loss).sort((a, b) => a - b);
    const budget = losses[12]; // a budget that some but not all assignments meet
    const best = all.filter((r) => r.loss <= budget).reduce((b, r) => (r.e < b.e ? r : b));
    const ga = selectMultipliersGa(model, layers, x, loss, budget, { population: 10, generations: 20, seed: 3 });
    expect(ga.feasible).toBe(true);
    expect(ga.energy).toBeCloseTo(best.e, 9);
    expect(ga.loss).toBeLessThanOrEqual(budget);
    expect(ga.evaluations).toBeLessThanOrEqual(36);
    // apply (default): the chosen multipliers are left on the layers and reproduce the loss.
    expect(layers.map((l) => multiplierOf(l.layer))).toEqual(ga.multipliers);
    const now = tf.tidy(() => loss(model.apply(x) as tf.Tensor).dataSync()[0]);
    expect(now - ga.exactLoss).toBeCloseTo(ga.loss, 5);
    dispose();
  });

  it('is deterministic with a seed, restores multipliers with apply: false, and leaks no tensors', () => {
    const { model, l1, l2, x, loss, layers, dispose } = setup();
    setMultiplier(l2, layers[1].multipliers[3]);
    const run = () =>
      selectMultipliersGa(model, layers, x, loss, 0.05, { population: 6, generations: 3, seed: 11, apply: false });
    const first = run();
    const before = tf.memory().numTensors;
    const second = run();
    expect(tf.memory().numTensors).toBe(before);
    expect(second.choice).toEqual(first.choice);
    expect(second.loss).toBe(first.loss);
    expect(multiplierOf(l1)).toBeNull();
    expect(multiplierOf(l2)).toBe(layers[1].multipliers[3]);
    dispose();
  });

  it('rejects bad arguments with LowbitConfigError and leaves multipliers unchanged', () => {
    const { model, l1, x, loss, layers, dispose } = setup();
    const other = appMulDense({ units: 2, inputShape: [3], inputQuantizer: actQ, kernelQuantizer: wQ });
    const bad: [unknown, unknown, unknown][] = [
      [[], loss, 0.1],
      [[{ ...layers[0], layer: tfl.layers.dense({ units: 2 }) }], loss, 0.1],
      [[{ ...layers[0], layer: other }], loss, 0.1],
      [[{ ...layers[0], multipliers: [] }], loss, 0.1],
      [[{ ...layers[0], multiplications: -1 }], loss, 0.1],
      [layers, 'loss', 0.1],
      [layers, loss, NaN],
    ];
    for (const [ls, lf, budget] of bad)
      expect(() => selectMultipliersGa(model, ls as never, x, lf as never, budget as never)).toThrow(LowbitConfigError);
    expect(() => selectMultipliersGa(model, layers, x, loss, 0.1, { population: 0 })).toThrow(LowbitConfigError);
    expect(() => selectMultipliersGa(model, layers, x, loss, 0.1, { apply: 'yes' as never })).toThrow(/apply = "yes"/);
    expect(() => selectMultipliersGa(model, layers, x, loss, 0.1, null as never)).toThrow(/settings = null/);
    expect(() => selectMultipliersGa(undefined as never, layers, x, loss, 0.1)).toThrow(/model = undefined/);
    expect(() => measuredLossChange(model, [{ ...layers[0]!, multipliers: ['exact' as never] }], x, loss)).toThrow(
      /layers\[0\]\.multipliers\[0\]/,
    );
    expect(() => measuredLossChange(model, layers, tf.zeros([2, 8], 'int32'), loss)).toThrow(/x\.dtype/);
    // A shape that does not fit the model is named as x, not left as a tfjs ValueError.
    const wrong = tf.zeros([2, 5]);
    expect(() => measuredLossChange(model, layers, wrong, loss)).toThrow(LowbitConfigError);
    // A NaN loss is refused: the GA would otherwise compare NaN fitness values.
    const nanX = tf.fill([16, 8], NaN);
    expect(() => measuredLossChange(model, layers, nanX, loss)).toThrow(LowbitDataError);
    tf.dispose([wrong, nanX]);
    expect(multiplierOf(l1)).toBeNull();
    dispose();
  });
});
