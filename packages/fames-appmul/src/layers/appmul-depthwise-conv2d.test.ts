import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitQuantDepthwiseConv2D, quantDepthwiseConv2d } from '@lowbit/quant-core';
import '../index.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { appMulDepthwiseConv2d } from './appmul-depthwise-conv2d.js';
import { layerOperandCodes } from './layer-operand-codes.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };
const perChannelQ = { className: 'LowbitUniformQuantizer', config: { bits: 4, perChannel: true, axis: 2 } };
const init = (seed: number) => tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed });
const m = truncatedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, columns: 3 });

describe('appMulDepthwiseConv2d', () => {
  for (const kernelQuantizer of [wQ, perChannelQ]) {
    it(`output channel c dm + q = s sum M(a of channel c, w[., ., c, q]) (${kernelQuantizer.className})`, () => {
      const layer = appMulDepthwiseConv2d({
        kernelSize: 3,
        depthMultiplier: 2,
        padding: 'same',
        strides: 2,
        inputQuantizer: actQ,
        kernelQuantizer,
        multiplier: m,
        depthwiseInitializer: init(1),
      });
      expect(layer).toBeInstanceOf(LowbitQuantDepthwiseConv2D);
      const net = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [5, 4, 3] }), layer] });
      const x = tf.randomUniform([2, 5, 4, 3], 0, 1, 'float32', 2);
      const y = net.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 3, 2, 6]);
      const { aCodes, wCodes, outputScale } = layerOperandCodes(layer, x);
      const [a, w] = [aCodes.dataSync(), wCodes.dataSync()];
      const scale = typeof outputScale === 'number' ? () => outputScale : (o: number) => outputScale[o]!;
      const expected: number[] = [];
      // 'same', stride 2: 5 -> 3 rows (pad 1 before), 4 -> 2 columns (pad 0 before).
      for (let b = 0; b < 2; b++)
        for (let oy = 0; oy < 3; oy++)
          for (let ox = 0; ox < 2; ox++)
            for (let c = 0; c < 3; c++)
              for (let q = 0; q < 2; q++) {
                let sum = 0;
                for (let i = 0; i < 3; i++)
                  for (let j = 0; j < 3; j++) {
                    const [yy, xx] = [oy * 2 + i - 1, ox * 2 + j];
                    const code = yy < 0 || yy >= 5 || xx >= 4 ? 0 : a[((b * 5 + yy) * 4 + xx) * 3 + c]!;
                    sum += m.product(code, w[((i * 3 + j) * 3 + c) * 2 + q]!);
                  }
                expected.push(Math.fround(Math.fround(sum * Math.fround(scale(c * 2 + q))) + 0));
              }
      expect(Array.from(y.dataSync())).toEqual(expected);
      expect(Array.from(layer.integerForward(x).dataSync())).toEqual(expected);
      tf.dispose([x, y, aCodes, wCodes]);
    });
  }

  it("gradients equal the exact quantized depthwise layer's; training leaks nothing", async () => {
    const args = { kernelSize: 2, depthMultiplier: 1, inputQuantizer: actQ, kernelQuantizer: wQ };
    const layer = appMulDepthwiseConv2d({ ...args, multiplier: m, depthwiseInitializer: init(3) });
    const net = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [4, 4, 2] }), layer] });
    const exact = tfl.sequential({
      layers: [tfl.layers.inputLayer({ inputShape: [4, 4, 2] }), quantDepthwiseConv2d(args)],
    });
    exact.setWeights(net.getWeights());
    const x = tf.randomUniform([2, 4, 4, 2], 0, 1, 'float32', 4);
    const t = tf.randomUniform([2, 3, 3, 2], -1, 1, 'float32', 5);
    const gradsOf = (mdl: tfl.Sequential) => {
      const weights = mdl.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(mdl.apply(x) as tf.Tensor, t)) as tf.Scalar,
        weights,
      );
      const out = Object.values(grads).map((g) => Array.from(g.dataSync()));
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    expect(gradsOf(net)).toEqual(gradsOf(exact));
    net.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    await net.trainOnBatch(x, t);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await net.trainOnBatch(x, t);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t]);
  });
});
