import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError, LowbitExactArithmetic, quantDense } from '@lowbit/quant-core';
import { countingMatricesOf } from './calibrate-counting.js';
import { denseCountingMatrix } from './counting.js';
import './index.js';
import { appMulDense } from './layers/appmul-dense.js';
import { appMulConv2d } from './layers/appmul-conv2d.js';
import { appMulDepthwiseConv2d } from './layers/appmul-depthwise-conv2d.js';
import { layerOperandCodes } from './layers/layer-operand-codes.js';
import { multiplierOf, setMultiplier } from './layers/set-multiplier.js';
import { codeToPattern } from './operand.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };

function build() {
  const input = tfl.input({ shape: [6] });
  const l1 = appMulDense({
    units: 5,
    inputQuantizer: actQ,
    kernelQuantizer: wQ,
    kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }),
    biasInitializer: tfl.initializers.constant({ value: 0.3 }),
  });
  const l2 = appMulDense({
    units: 3,
    inputQuantizer: actQ,
    kernelQuantizer: wQ,
    kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }),
    multiplier: 'drum2_a4u_w4s',
  });
  const h = l1.apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: l2.apply(h) as tfl.SymbolicTensor });
  return { model, l1, l2, hidden: tfl.model({ inputs: input, outputs: h }) };
}

describe('countingMatricesOf', () => {
  it('matches counting matrices built by hand from dL/d(product) of each layer, and restores multipliers', () => {
    const { model, l1, l2, hidden } = build();
    const x = tf.randomUniform([8, 6], 0, 1, 'float32', 4);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const loss = (y: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
    const counting = countingMatricesOf(model, x, loss);
    expect(counting.map((c) => c.layer)).toEqual([l1, l2]);
    expect(counting.map((c) => c.multiplications)).toEqual([30, 15]);
    expect(multiplierOf(l2)?.name).toBe('drum2_a4u_w4s');
    expect(multiplierOf(l1)).toBeNull();

    // Layer 2 (linear activation): dL/d(product) = dL/dy of the model output at the exact multiplier.
    const saved = multiplierOf(l2);
    setMultiplier(l2, null);
    const y = model.predict(x) as tf.Tensor;
    const dy = tf.grad((t: tf.Tensor) => loss(t))(y) as tf.Tensor2D;
    const h = hidden.predict(x) as tf.Tensor2D;
    const c2 = layerOperandCodes<tf.Tensor2D>(l2, h);
    const G2 = denseCountingMatrix(c2.aCodes, c2.wCodes, dy, counting[1].counting, c2.outputScale);
    G2.g.forEach((v, i) => expect(counting[1].counting.g[i]).toBeCloseTo(v, 6));

    // Layer 1: dL/d(product) through bias, layer 2 (its quantizer's STE) and the loss.
    const c1 = layerOperandCodes<tf.Tensor2D>(l1, x);
    const product1 = tf.mul(
      tf.matMul(tf.cast(c1.aCodes, 'float32'), tf.cast(c1.wCodes, 'float32')),
      c1.outputScale as number,
    );
    const bias1 = l1.getWeights()[1];
    const dP1 = tf.grad((p: tf.Tensor) => loss(l2.apply(tf.add(p, bias1)) as tf.Tensor))(product1) as tf.Tensor2D;
    const G1 = denseCountingMatrix(c1.aCodes, c1.wCodes, dP1, counting[0].counting, c1.outputScale);
    G1.g.forEach((v, i) => expect(counting[0].counting.g[i]).toBeCloseTo(v, 6));
    expect(G1.g.some((v) => Math.abs(v) > 1e-4)).toBe(true);
    // Per-sample matrices (on by default) split G by sample: with a mean loss over 8 samples,
    // lossWeight 1/8, and sample 3's matrix is the one built from dL/dY's row 3 alone.
    const ps = counting[1].counting.perSample!;
    expect(ps).toMatchObject({ count: 8, samplesPerMatrix: 1, lossWeight: 1 / 8 });
    const row3 = tf.tidy(() => tf.mul(dy, tf.tensor2d([0, 0, 0, 1, 0, 0, 0, 0], [8, 1])) as tf.Tensor2D);
    const G2row3 = denseCountingMatrix(c2.aCodes, c2.wCodes, row3, counting[1].counting, c2.outputScale);
    const stored = new Float64Array(G2.g.length);
    for (let j = ps.offsets[3]; j < ps.offsets[4]; j++) stored[ps.index[j]] = ps.value[j];
    G2row3.g.forEach((v, i) => expect(stored[i]).toBeCloseTo(v, 6));
    expect(countingMatricesOf(model, x, loss, { secondOrder: false })[1].counting.perSample).toBeUndefined();
    expect(countingMatricesOf(model, x, loss, { reduction: 'sum' })[1].counting.perSample!.lossWeight).toBe(1);
    expect(() => countingMatricesOf(model, x, loss, { reduction: 'max' as never })).toThrow(/reduction/);
    expect(() => countingMatricesOf(model, x, loss, { order: 2 } as never)).toThrow(/order/);
    setMultiplier(l2, saved);
    tf.dispose([x, labels, y, dy, h, c2.aCodes, c2.wCodes, c1.aCodes, c1.wCodes, product1, dP1, row3]);
  });

  it('leaks no tensors and needs AppMul layers with integer quantizers', () => {
    const { model } = build();
    // 40 samples: more than predict's default batch of 32, so every sample must be counted.
    const x = tf.randomUniform([40, 6], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.randomUniformInt([40], 0, 3, 6), 3);
    const loss = (y: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
    countingMatricesOf(model, x, loss);
    // loss = sum(y): dL/d(product) = 1 for the last layer, so G sums to (samples x K x N) x s.
    const ones = countingMatricesOf(model, x, (y) => tf.sum(y) as tf.Scalar);
    expect(ones[1].counting.g.reduce((s, v) => s + v, 0)).toBeCloseTo((40 * 5 * 3) / 15 / 7, 3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) countingMatricesOf(model, x, loss);
    expect(tf.memory().numTensors).toBe(before);
    const plain = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [6] })] });
    expect(() => countingMatricesOf(plain, x, loss)).toThrow(LowbitConfigError);
    // Float inputs cannot have an AppMul slot at all; a plain quantized layer is not counted.
    expect(() => appMulDense({ units: 2, inputShape: [6], kernelQuantizer: wQ })).toThrow(LowbitConfigError);
    const exactOnly = tfl.sequential({
      layers: [quantDense({ units: 2, inputShape: [6], inputQuantizer: actQ, kernelQuantizer: wQ })],
    });
    expect(() => countingMatricesOf(exactOnly, x, (y) => tf.sum(y) as tf.Scalar)).toThrow(/has no AppMul layers/);
    tf.dispose([x, labels]);
  });

  it('bad model, x, loss or options: typed errors, no tfjs ValueError, no NaN counting matrix, no leak', () => {
    const { model } = build();
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 5);
    const sum = (y: tf.Tensor) => tf.sum(y) as tf.Scalar;
    countingMatricesOf(model, x, sum);
    const before = tf.memory().numTensors;
    const wrongShape = tf.zeros([4, 5]);
    const nanX = tf.fill([4, 6], NaN);
    const scalar = tf.scalar(1);
    const cases: [() => unknown, RegExp][] = [
      [() => countingMatricesOf(undefined as never, x, sum), /model = undefined/],
      [() => countingMatricesOf(model, scalar as never, sum), /x\.shape/],
      [() => countingMatricesOf(model, wrongShape, sum), /\[4, 5\] is invalid/],
      [() => countingMatricesOf(model, x, 'nope' as never), /loss = "nope"/],
      [() => countingMatricesOf(model, x, () => tf.ones([2]) as never), /loss = .*scalar tensor/],
      [() => countingMatricesOf(model, x, sum, null as never), /options = null/],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
    // NaN inputs are refused by the input quantizer; a NaN loss is refused rather than turned into NaN estimates.
    expect(() => countingMatricesOf(model, nanX, sum)).toThrow(LowbitConfigError);
    expect(() => countingMatricesOf(model, x, (y) => tf.mul(tf.sum(y), NaN) as tf.Scalar)).toThrow(LowbitDataError);
    expect(() => countingMatricesOf(model, x, (y) => tf.mul(tf.sum(y), NaN) as tf.Scalar)).toThrow(
      /countingMatricesOf: the loss on x is NaN/,
    );
    tf.dispose([wrongShape, nanX, scalar]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
  });

  it('conv layers: with loss = sum(y), G counts every multiplication (padding included) times s', () => {
    const conv = appMulConv2d({
      filters: 2,
      kernelSize: 2,
      padding: 'same',
      inputQuantizer: actQ,
      kernelQuantizer: wQ,
      multiplier: 'trunc3_a4u_w4s',
      kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 7 }),
    });
    const model = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [3, 3, 1] }), conv] });
    const x = tf.randomUniform([2, 3, 3, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const [c] = countingMatricesOf(model, x, (y) => tf.sum(y) as tf.Scalar);
    expect(c.layer).toBe(conv);
    expect(c.multiplications).toBe(3 * 3 * 2 * 2 * 1 * 2);
    const { aCodes, wCodes, outputScale } = layerOperandCodes(conv, x);
    const [a, w, sc] = [aCodes.dataSync(), wCodes.dataSync(), outputScale as number];
    const brute = new Float64Array(256);
    // 'same' with a 2x2 kernel on 3x3: pad 0 before, 1 after.
    for (let b = 0; b < 2; b++)
      for (let oy = 0; oy < 3; oy++)
        for (let ox = 0; ox < 3; ox++)
          for (let o = 0; o < 2; o++) {
            for (let i = 0; i < 2; i++)
              for (let j = 0; j < 2; j++) {
                const [yy, xx] = [oy + i, ox + j];
                const code = yy >= 3 || xx >= 3 ? 0 : a[(b * 3 + yy) * 3 + xx];
                brute[code * 16 + codeToPattern(w[(i * 2 + j) * 2 + o], 4)] += sc;
              }
          }
    brute.forEach((v, i) => expect(c.counting.g[i]).toBeCloseTo(v, 5));
    expect(multiplierOf(conv)?.name).toBe('trunc3_a4u_w4s');
    tf.dispose([x, aCodes, wCodes]);
  });

  it('channelsFirst, dilated and depthwise layers are counted; the arithmetics are put back as they were', () => {
    const args = {
      kernelSize: 2,
      padding: 'same',
      dilationRate: 2,
      inputQuantizer: actQ,
      kernelQuantizer: wQ,
      multiplier: 'trunc3_a4u_w4s',
    } as const;
    const last = appMulConv2d({
      filters: 3,
      ...args,
      kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }),
    });
    const first = appMulConv2d({ filters: 3, ...args, dataFormat: 'channelsFirst' });
    const depthwise = appMulDepthwiseConv2d({ ...args, depthMultiplier: 2, multiplier: null });
    const plain = quantDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ });
    const netLast = tfl.sequential({
      layers: [tfl.layers.inputLayer({ inputShape: [4, 5, 2] }), last, tfl.layers.flatten(), plain],
    });
    const netFirst = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [2, 4, 5] }), first] });
    const netDepthwise = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [4, 5, 2] }), depthwise] });
    netFirst.setWeights(netLast.getWeights().slice(0, 2));
    const x = tf.randomUniform([3, 4, 5, 2], 0, 1, 'float32', 11);
    const xFirst = tf.transpose(x, [0, 3, 1, 2]);
    const sum = (y: tf.Tensor) => tf.sum(y) as tf.Scalar;
    const before = [last.arithmetic, plain.arithmetic];
    const [cLast] = countingMatricesOf(netLast, x, (y) => tf.sum(y) as tf.Scalar, { secondOrder: false });
    expect([last.arithmetic, plain.arithmetic]).toEqual(before);
    expect(last.arithmetic).toBe(before[0]);
    expect(plain.arithmetic).toBeInstanceOf(LowbitExactArithmetic);
    // netLast's loss goes through the dense layer; compare the conv alone, first vs last.
    const convOnly = tfl.sequential({
      layers: [tfl.layers.inputLayer({ inputShape: [4, 5, 2] }), appMulConv2d({ filters: 3, ...args })],
    });
    convOnly.setWeights(netLast.getWeights().slice(0, 2));
    const [cConv] = countingMatricesOf(convOnly, x, sum);
    const [cFirst] = countingMatricesOf(netFirst, xFirst, sum);
    cFirst!.counting.g.forEach((v, i) => expect(v).toBeCloseTo(cConv!.counting.g[i]!, 6));
    // loss = sum(y): every multiplication (padding included) adds s;
    // 'same': 4 x 5 outputs, 2 x 2 taps, 2 channels, 3 filters.
    const s = layerOperandCodes(last, x).outputScale as number;
    expect(cConv!.multiplications).toBe(4 * 5 * 2 * 2 * 2 * 3);
    expect(cConv!.counting.g.reduce((p, v) => p + v, 0)).toBeCloseTo(3 * cConv!.multiplications * s, 4);
    expect(cLast!.layer).toBe(last);
    const [cDepthwise] = countingMatricesOf(netDepthwise, x, sum);
    expect(cDepthwise!.multiplications).toBe(4 * 5 * 2 * 2 * 2 * 2);
    const sd = layerOperandCodes(depthwise, x).outputScale as number;
    expect(cDepthwise!.counting.g.reduce((p, v) => p + v, 0)).toBeCloseTo(3 * cDepthwise!.multiplications * sd, 4);
    expect(multiplierOf(depthwise)).toBeNull();
    tf.dispose([x, xFirst]);
  });
});
