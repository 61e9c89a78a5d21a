import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, quantConv2d } from '@lowbit/quant-core';
import { drumMultiplier } from '../families/drum.js';
import { appMulConv2dLayer, LowbitAppMulConv2D } from './appmul-conv2d.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };

describe('LowbitAppMulConv2D', () => {
  it('output = s_a s_w sum M(a, w) + bias over every receptive field (explicit loop); exact layer when null', () => {
    const m = drumMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, k: 2 });
    const layer = appMulConv2dLayer({ filters: 2, kernelSize: 3, padding: 'same', strides: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: m, biasInitializer: 'ones', kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }) });
    const net = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [5, 5, 2] }), layer] });
    const x = tf.randomUniform([2, 5, 5, 2], 0, 1, 'float32', 8) as tf.Tensor4D;
    const y = net.predict(x) as tf.Tensor4D;
    expect(y.shape).toEqual([2, 3, 3, 2]);
    const { aCodes, wCodes, outputScale } = layer.operandCodes(x);
    const [a, w, s] = [aCodes.dataSync(), wCodes.dataSync(), outputScale as number];
    const expected: number[] = [];
    // tfjs 'same' with stride 2 on 5 -> 3 outputs, total padding max((3-1)*2 + 3 - 5, 0) = 2: 1 before.
    for (let b = 0; b < 2; b++) for (let oy = 0; oy < 3; oy++) for (let ox = 0; ox < 3; ox++) for (let o = 0; o < 2; o++) {
      let sum = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 2; c++) {
        const [yy, xx] = [oy * 2 + i - 1, ox * 2 + j - 1];
        const code = yy < 0 || yy >= 5 || xx < 0 || xx >= 5 ? 0 : a[((b * 5 + yy) * 5 + xx) * 2 + c];
        sum += m.product(code, w[((i * 3 + j) * 2 + c) * 2 + o]);
      }
      expected.push(Math.fround(Math.fround(sum * Math.fround(s)) + 1));
    }
    expect(Array.from(y.dataSync())).toEqual(expected);
    const exact = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [5, 5, 2] }), quantConv2d({ filters: 2, kernelSize: 3, padding: 'same', strides: 2, inputQuantizer: actQ, kernelQuantizer: wQ })] });
    exact.setWeights(net.getWeights());
    layer.setMultiplier(null);
    const y0 = net.predict(x) as tf.Tensor;
    const ye = exact.predict(x) as tf.Tensor;
    Array.from(y0.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ye.dataSync()[i], 5));
    tf.dispose([x, y, aCodes, wCodes, y0, ye]);
  });

  it('straight-through gradients equal the exact quantized conv\'s; no leaks; config round trip', () => {
    const layer = appMulConv2dLayer({ filters: 2, kernelSize: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s', kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 4 }) });
    const net = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [4, 4, 1] }), layer] });
    const exact = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [4, 4, 1] }), quantConv2d({ filters: 2, kernelSize: 2, inputQuantizer: actQ, kernelQuantizer: wQ })] });
    exact.setWeights(net.getWeights());
    const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 1);
    const t = tf.randomUniform([2, 3, 3, 2], -1, 1, 'float32', 2);
    const gradsOf = (mdl: tfl.Sequential) => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(mdl.apply(x) as tf.Tensor, t)) as tf.Scalar, mdl.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val));
      const out = Object.values(grads).map((g) => Array.from(g.dataSync()));
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    expect(gradsOf(net)).toEqual(gradsOf(exact));
    gradsOf(net);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) gradsOf(net);
    expect(tf.memory().numTensors).toBe(before);
    const config = layer.getConfig();
    expect(config.multiplier).toBe('trunc3_a4u_w4s');
    const copy = tf.serialization.SerializationMap.getMap().classNameMap.LowbitAppMulConv2D[1](LowbitAppMulConv2D, config) as LowbitAppMulConv2D;
    expect(copy.multiplier?.name).toBe('trunc3_a4u_w4s');
    expect(layer.lowbitPrecision().multiplier?.name).toBe('trunc3_a4u_w4s');
    tf.dispose([x, t]);
  });

  it('unsupported settings give typed errors', () => {
    const dilated = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [5, 5, 1] }), appMulConv2dLayer({ filters: 1, kernelSize: 2, dilationRate: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s' })] });
    const x = tf.ones([1, 5, 5, 1]);
    expect(() => dilated.predict(x)).toThrow(LowbitConfigError);
    expect(() => appMulConv2dLayer({ filters: 1, kernelSize: 2, multiplier: 'no_such' })).toThrow(LowbitConfigError);
    x.dispose();
  });
});
