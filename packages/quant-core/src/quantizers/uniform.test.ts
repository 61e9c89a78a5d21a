import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { getQuantizer, serializeQuantizer } from '../registry.js';
import { LowbitUniformQuantizer, type UniformQuantizerConfig } from './uniform.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const f = Math.fround;
const rint = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
/** Reference affine fake quantization in float32 steps. */
const ref = (x: number[], s: number, z: number, qmin: number, qmax: number) =>
  x.map((v) => f(f(Math.min(qmax, Math.max(qmin, rint(f(f(v) / f(s))) + z)) - z) * f(s)));

/** A tfjs-layers layer hosting a quantizer (its state becomes the layer's weights). */
class HostLayer extends tfl.layers.Layer {
  static className = 'TestHostLayer';
  constructor(readonly q: LowbitUniformQuantizer) {
    super({});
  }
  override build(shape: tfl.Shape | tfl.Shape[]): void {
    this.q.build(
      (shape as number[]).map((d) => d ?? 1),
      this as never,
      'input',
    );
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return this.q.call(Array.isArray(inputs) ? inputs[0] : inputs, { training: kwargs.training });
  }
}

describe('LowbitUniformQuantizer', () => {
  const x = [-1, -0.3, 0.26, 0.5, 2];

  it('symmetric signed, per-batch min/max: scale max|x| / (2^(b-1)-1), narrow codes', () => {
    const y = values(new LowbitUniformQuantizer({ bits: 3 }).call(tf.tensor(x)));
    expect(y).toEqual(ref(x, 2 / 3, 0, -3, 3));
  });

  it('symmetric unsigned clips negatives; affine puts 0 exactly on the grid via the zero point', () => {
    expect(values(new LowbitUniformQuantizer({ bits: 2, signed: false }).call(tf.tensor(x)))).toEqual(
      ref(x, 2 / 3, 0, 0, 3),
    );
    const affine = new LowbitUniformQuantizer({ bits: 2, signed: false, symmetric: false, range: [-1, 3] });
    // scale 4/3, zp = round(0 + 1 / (4/3)) = 1: levels -4/3, 0, 4/3, 8/3.
    expect(values(affine.call(tf.tensor(x)))).toEqual(ref(x, 4 / 3, 1, 0, 3));
    expect(affine.quantize(tf.tensor(x)).zeroPoint[0]).toBe(1);
    expect(values(affine.call(tf.tensor([0])))).toEqual([0]);
  });

  it('per channel: one scale per slice along the axis', () => {
    const t = tf.tensor([
      [0.1, -0.4, 0.25],
      [3, -1, 2],
    ]);
    const y = values(new LowbitUniformQuantizer({ bits: 4, perChannel: true, axis: 0 }).call(t));
    expect(y).toEqual([...ref([0.1, -0.4, 0.25], 0.4 / 7, 0, -7, 7), ...ref([3, -1, 2], 3 / 7, 0, -7, 7)]);
    const q = new LowbitUniformQuantizer({ bits: 4, perChannel: true }).quantize(t);
    expect(q.axis).toBe(1);
    expect(q.scale.length).toBe(3);
  });

  it('fixed range: clips outside, straight-through gradient only inside', () => {
    const q = new LowbitUniformQuantizer({ bits: 4, range: [-1, 1] });
    const t = tf.tensor([-1.5, -1, 0.33, 1, 1.2]);
    expect(values(q.call(t))).toEqual(ref([-1.5, -1, 0.33, 1, 1.2], 1 / 7, 0, -7, 7));
    expect(values(tf.grad((u: tf.Tensor) => tf.sum(q.call(u)))(t))).toEqual([0, 1, 1, 1, 0]);
  });

  it('ema: state created through the host, updated only in training, saved as non-trainable weights', () => {
    const q = new LowbitUniformQuantizer({ bits: 8, symmetric: false, range: 'ema', momentum: 0.5 });
    const layer = new HostLayer(q);
    layer.apply(tf.zeros([1, 2]));
    expect(layer.nonTrainableWeights.map((w) => w.originalName.split('/').pop())).toEqual([
      'input_ema_min',
      'input_ema_max',
    ]);
    expect(layer.trainableWeights).toEqual([]);
    layer.apply(tf.tensor([[-1, 3]]), { training: true }); // first update takes the batch range
    expect(layer.getWeights().map((w) => w.dataSync()[0])).toEqual([-1, 3]);
    layer.apply(tf.tensor([[-3, 1]]), { training: true }); // 0.5 old + 0.5 batch
    expect(layer.getWeights().map((w) => w.dataSync()[0])).toEqual([-2, 2]);
    layer.apply(tf.tensor([[-10, 10]])); // inference: no update, uses stored range
    expect(layer.getWeights().map((w) => w.dataSync()[0])).toEqual([-2, 2]);
    const y = values(layer.apply(tf.tensor([[-10, 1, 10]])) as tf.Tensor);
    const s = 4 / 255;
    const z = Math.round(-128 + 2 / s);
    expect(y).toEqual(ref([-10, 1, 10], s, z, -128, 127));
  });

  it('lsq: trainable step initialised to 2 mean|x| / sqrt(Qp), with the LSQ step gradient and scale', () => {
    const q = new LowbitUniformQuantizer({ bits: 3, range: 'lsq' }); // codes [-4, 3]
    const layer = new HostLayer(q);
    const t = tf.tensor([[-2, -0.3, 0.2, 0.5, 3]]);
    layer.apply(t);
    expect(layer.trainableWeights.map((w) => w.originalName.split('/').pop())).toEqual(['input_step']);
    const s0 = layer.getWeights()[0].dataSync()[0];
    expect(s0).toBeCloseTo((2 * (6 / 5)) / Math.sqrt(3), 6);
    // Gradient of sum(y) wrt the step: g * sum(ds), ds = -4 below, 3 above, round(v) - v inside.
    const direct = new LowbitUniformQuantizer({ bits: 3, range: 'lsq' });
    direct.build([5]);
    (direct as unknown as { state: { step: { write: (v: tf.Tensor) => void } } }).state.step.write(tf.tensor([0.5]));
    const xs = [-2, -0.3, 0.2, 0.5, 3];
    const vs = xs.map((v) => v / 0.5); // -4, -0.6, 0.4, 1, 6
    const ds = vs.map((v) => (v < -4 ? -4 : v > 3 ? 3 : rint(v) - v));
    const expectedStepGrad = ds.reduce((a, b) => a + b, 0) / Math.sqrt(5 * 3);
    const vars = tf.variableGrads(() => tf.sum(direct.call(tf.tensor(xs), { training: true })) as tf.Scalar);
    const [name] = Object.keys(vars.grads);
    expect(vars.grads[name].dataSync()[0]).toBeCloseTo(expectedStepGrad, 5);
    const dx = values(tf.grad((u: tf.Tensor) => tf.sum(direct.call(u)))(tf.tensor(xs)));
    expect(dx).toEqual([1, 1, 1, 1, 0]); // -2 / 0.5 = -4 is inside, 6 is above
    expect(values(direct.call(tf.tensor(xs)))).toEqual([-2, -0.5, 0, 0.5, 1.5]);
    direct.dispose();
  });

  it('lsq learns: gradient steps on the step size lower the quantization error', () => {
    const q = new LowbitUniformQuantizer({ bits: 2, range: 'lsq' });
    const data = tf.randomNormal([256], 0, 1, 'float32', 2);
    const loss = () => tf.mean(tf.square(tf.sub(q.call(data, { training: true }), data))) as tf.Scalar;
    const first = tf.tidy(() => loss().dataSync()[0]);
    const opt = tf.train.sgd(0.5);
    for (let i = 0; i < 30; i++) tf.dispose(opt.minimize(loss, true) ?? []);
    expect(tf.tidy(() => loss().dataSync()[0])).toBeLessThan(first * 0.95);
    opt.dispose();
    q.dispose();
  });

  it('stochastic rounding: floor or ceil while training (seeded, reproducible), nearest in inference', () => {
    const t = tf.fill([2000], 0.3);
    const cfg: UniformQuantizerConfig = { bits: 4, range: [-7, 7], stochastic: true, seed: 9 };
    const y = values(new LowbitUniformQuantizer(cfg).call(t, { training: true }));
    expect(new Set(y)).toEqual(new Set([0, 1]));
    expect(y.reduce((a, b) => a + b, 0) / y.length).toBeCloseTo(0.3, 1);
    expect(values(new LowbitUniformQuantizer(cfg).call(t, { training: true }))).toEqual(y);
    expect(new Set(values(new LowbitUniformQuantizer(cfg).call(t)))).toEqual(new Set([0]));
    const g = values(
      tf.grad((u: tf.Tensor) => tf.sum(new LowbitUniformQuantizer(cfg).call(u, { training: true })))(
        tf.tensor([-8, 0.2, 8]),
      ),
    );
    expect(g).toEqual([0, 1, 0]);
  });

  it('quantize().dequantize() equals call() in inference, for every range mode', () => {
    const t = tf.randomNormal([4, 6], 0, 2, 'float32', 4);
    const configs: UniformQuantizerConfig[] = [
      { bits: 5 },
      { bits: 6, signed: false, symmetric: false },
      { bits: 4, perChannel: true, axis: 1, symmetric: false },
      { bits: 4, range: [-1, 2] },
      { bits: 3, range: 'lsq', perChannel: true },
      { bits: 8, range: 'ema' },
    ];
    for (const c of configs) {
      const q = new LowbitUniformQuantizer(c);
      q.call(t, { training: true }).dispose();
      expect(Array.from(q.quantize(t).dequantize()), JSON.stringify(c)).toEqual(values(q.call(t)));
      q.dispose();
    }
  });

  it('round-trips its config and rejects bad settings', () => {
    const q = new LowbitUniformQuantizer({
      bits: 6,
      signed: false,
      symmetric: false,
      perChannel: true,
      axis: 0,
      range: [-1, 2],
      stochastic: true,
      seed: 3,
    });
    const back = getQuantizer(serializeQuantizer(q)!)!;
    expect(back.getConfig()).toEqual(q.getConfig());
    expect(getQuantizer('uniform')).toBeInstanceOf(LowbitUniformQuantizer);
    for (const bits of [0, 33, 2.5, NaN]) expect(() => new LowbitUniformQuantizer({ bits })).toThrow(LowbitConfigError);
    expect(() => new LowbitUniformQuantizer({ bits: 1 })).toThrow(/bits = 1/); // signed symmetric needs 2
    expect(() => new LowbitUniformQuantizer({ range: [1, 0] })).toThrow(/range/);
    expect(() => new LowbitUniformQuantizer({ range: 'max' as never })).toThrow(/range = "max"/);
    expect(() => new LowbitUniformQuantizer({ momentum: 1 })).toThrow(/momentum = 1/);
    expect(() => new LowbitUniformQuantizer({ perChannel: true, axis: 3 }).call(tf.zeros([2, 2]))).toThrow(/axis = 3/);
    expect(() => new LowbitUniformQuantizer().call(tf.tensor([NaN, 1]))).toThrow(LowbitConfigError);
  });

  it('leaks no tensors across training steps (ema, lsq, stochastic)', () => {
    const data = tf.randomNormal([8, 4], 0, 1, 'float32', 1);
    for (const c of [
      { range: 'ema' },
      { range: 'lsq', perChannel: true },
      { range: 'minmax', stochastic: true },
    ] as UniformQuantizerConfig[]) {
      const q = new LowbitUniformQuantizer({ bits: 4, ...c });
      const opt = tf.train.sgd(0.01);
      const loss = () => tf.sum(tf.square(q.call(data, { training: true }))) as tf.Scalar;
      // lsq has a trainable step: a real optimizer step; the others: a gradient wrt the input.
      const step = () =>
        c.range === 'lsq'
          ? tf.dispose(opt.minimize(loss, true) ?? [])
          : tf.dispose(tf.grad((u: tf.Tensor) => tf.sum(tf.square(q.call(u, { training: true }))))(data));
      q.build(data.shape); // variables must exist before minimize() lists them
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) step();
      tf.dispose(tf.grad((u: tf.Tensor) => tf.sum(q.call(u, { training: true })))(data));
      q.quantize(data);
      tf.dispose(q.call(data));
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      q.dispose();
    }
  });
});
