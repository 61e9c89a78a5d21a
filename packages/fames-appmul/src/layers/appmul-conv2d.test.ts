import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitQuantConv2D, quantConv2d } from '@lowbit/quant-core';
import '../index.js';
import { drumMultiplier } from '../families/drum.js';
import { appMulConv2d } from './appmul-conv2d.js';
import { layerOperandCodes } from './layer-operand-codes.js';
import { multiplierOf, setMultiplier } from './set-multiplier.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };
const init = (seed: number) => tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed });
const m = drumMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, k: 2 });

/** Layer output by explicit loops over the codes (NHWC), tfjs's 'same' padding rule, dilation d. */
function bruteConv(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  [B, H, W, C]: number[],
  [kh, kw, , F]: number[],
  stride: number,
  same: boolean,
  d: number,
  scale: number,
  bias: number,
): number[] {
  const [eh, ew] = [(kh - 1) * d + 1, (kw - 1) * d + 1];
  const Ho = same ? Math.ceil(H / stride) : Math.ceil((H - eh + 1) / stride);
  const Wo = same ? Math.ceil(W / stride) : Math.ceil((W - ew + 1) / stride);
  const top = same ? Math.floor(Math.max((Ho - 1) * stride + eh - H, 0) / 2) : 0;
  const left = same ? Math.floor(Math.max((Wo - 1) * stride + ew - W, 0) / 2) : 0;
  const out: number[] = [];
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++)
        for (let o = 0; o < F; o++) {
          let sum = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              for (let c = 0; c < C; c++) {
                const [yy, xx] = [oy * stride + i * d - top, ox * stride + j * d - left];
                const code = yy < 0 || yy >= H || xx < 0 || xx >= W ? 0 : a[((b * H + yy) * W + xx) * C + c]!;
                sum += m.product(code, w[((i * kw + j) * C + c) * F + o]!);
              }
          out.push(Math.fround(Math.fround(sum * Math.fround(scale)) + bias));
        }
  return out;
}

describe('appMulConv2d', () => {
  const cases = [
    { padding: 'same', strides: 2, dilationRate: 1, kernelSize: 3 },
    { padding: 'valid', strides: 1, dilationRate: 2, kernelSize: 2 },
    { padding: 'same', strides: 1, dilationRate: 2, kernelSize: 3 },
  ] as const;
  for (const c of cases) {
    it(`${c.padding}, strides ${c.strides}, dilation ${c.dilationRate}: s_a s_w sum M(a, w) + bias per window`, () => {
      const layer = appMulConv2d({
        filters: 2,
        ...c,
        inputQuantizer: actQ,
        kernelQuantizer: wQ,
        multiplier: m,
        biasInitializer: 'ones',
        kernelInitializer: init(3),
      });
      expect(layer).toBeInstanceOf(LowbitQuantConv2D);
      const net = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [6, 5, 2] }), layer] });
      const x = tf.randomUniform([2, 6, 5, 2], 0, 1, 'float32', 8) as tf.Tensor4D;
      const y = net.predict(x) as tf.Tensor4D;
      const { aCodes, wCodes, outputScale } = layerOperandCodes(layer, x);
      const k = c.kernelSize;
      const expected = bruteConv(
        aCodes.dataSync(),
        wCodes.dataSync(),
        [2, 6, 5, 2],
        [k, k, 2, 2],
        c.strides,
        c.padding === 'same',
        c.dilationRate,
        outputScale as number,
        1,
      );
      expect(Array.from(y.dataSync())).toEqual(expected);
      const yInt = layer.integerForward(x);
      expect(Array.from(yInt.dataSync())).toEqual(expected);
      tf.dispose([x, y, yInt, aCodes, wCodes]);
    });
  }

  it('channelsFirst computes the channelsLast result transposed; null multiplier equals quantConv2d', () => {
    const args = {
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      strides: 1,
      inputQuantizer: actQ,
      kernelQuantizer: wQ,
      biasInitializer: 'ones',
    } as const;
    const last = appMulConv2d({ ...args, multiplier: m, kernelInitializer: init(4) });
    const first = appMulConv2d({ ...args, multiplier: m, dataFormat: 'channelsFirst' });
    const netLast = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [5, 4, 2] }), last] });
    const netFirst = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [2, 5, 4] }), first] });
    netFirst.setWeights(netLast.getWeights());
    const x = tf.randomUniform([2, 5, 4, 2], 0, 1, 'float32', 5);
    const yLast = netLast.predict(x) as tf.Tensor;
    const yFirst = netFirst.predict(tf.transpose(x, [0, 3, 1, 2])) as tf.Tensor;
    expect(Array.from(tf.transpose(yFirst, [0, 2, 3, 1]).dataSync())).toEqual(Array.from(yLast.dataSync()));
    const exact = tfl.sequential({
      layers: [tfl.layers.inputLayer({ inputShape: [5, 4, 2] }), quantConv2d(args)],
    });
    exact.setWeights(netLast.getWeights());
    setMultiplier(last, null);
    expect(multiplierOf(last)).toBeNull();
    const y0 = netLast.predict(x) as tf.Tensor;
    const ye = exact.predict(x) as tf.Tensor;
    expect(Array.from(y0.dataSync())).toEqual(Array.from(ye.dataSync()));
    tf.dispose([x, yLast, yFirst, y0, ye]);
  });

  it("straight-through gradients equal the exact quantized conv's (tfjs's Conv2D gradient); no leaks; config", () => {
    const layer = appMulConv2d({
      filters: 2,
      kernelSize: 2,
      strides: 2,
      inputQuantizer: actQ,
      kernelQuantizer: wQ,
      multiplier: 'trunc3_a4u_w4s',
      kernelInitializer: init(4),
    });
    const net = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [5, 5, 1] }), layer] });
    const exact = tfl.sequential({
      layers: [
        tfl.layers.inputLayer({ inputShape: [5, 5, 1] }),
        quantConv2d({ filters: 2, kernelSize: 2, strides: 2, inputQuantizer: actQ, kernelQuantizer: wQ }),
      ],
    });
    exact.setWeights(net.getWeights());
    const x = tf.randomUniform([2, 5, 5, 1], 0, 1, 'float32', 1);
    const t = tf.randomUniform([2, 2, 2, 2], -1, 1, 'float32', 2);
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
    gradsOf(net);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) gradsOf(net);
    expect(tf.memory().numTensors).toBe(before);
    const config = layer.getConfig();
    const copy = LowbitQuantConv2D.fromConfig(
      LowbitQuantConv2D,
      JSON.parse(JSON.stringify(config)),
    ) as LowbitQuantConv2D;
    expect(multiplierOf(copy)?.name).toBe('trunc3_a4u_w4s');
    expect(copy.getConfig()).toEqual(config);
    expect(layer.lowbitPrecision().arithmetic).toMatchObject({ multiply: 'approximate', name: 'trunc3_a4u_w4s' });
    tf.dispose([x, t]);
  });
});
