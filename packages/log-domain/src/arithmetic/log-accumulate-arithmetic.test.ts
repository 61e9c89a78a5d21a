import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  LowbitQuantConv2D,
  quantConv2d,
  quantDense,
  quantDepthwiseConv2d,
  type LowbitQuantLayer,
} from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { logDomainMatMul } from '../log-accumulate.js';
import { LowbitLogAccumulateArithmetic } from './log-accumulate-arithmetic.js';

const log5 = { className: 'LowbitLogQuantizer', config: { bits: 5, signed: true, fsr: 1 } };
const values = (t: tf.Tensor) => Array.from(t.dataSync());

function ramp(shape: number[], amp = 1, phase = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, (_, i) => amp * Math.sin(1.37 * i + phase + 0.2)),
    shape,
  );
}

function built<T extends LowbitQuantLayer>(layer: T, x: tf.Tensor): T {
  tf.dispose(layer.apply(x) as tf.Tensor);
  layer.setWeights(layer.getWeights().map((w, i) => ramp(w.shape, 0.8, i + 1)));
  return layer;
}

const relError = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.div(tf.norm(tf.sub(a, b)), tf.norm(b)).dataSync()[0]!);

describe('LowbitLogAccumulateArithmetic', () => {
  it('dense inference: logDomainMatMul on the integer codes (bias and activation after it)', () => {
    const x = ramp([3, 10], 1.5);
    const layer = built(
      quantDense({
        units: 4,
        biasInitializer: 'ones',
        kernelQuantizer: log5,
        inputQuantizer: log5,
        arithmetic: { className: 'LowbitLogAccumulateArithmetic', config: { fracBits: 2 } },
      }),
      x,
    );
    const y = layer.apply(x) as tf.Tensor;
    const { kernel, bias } = layer.exportQuantized();
    const codes = layer.inputQuantizer!.quantize(x);
    const want = tf.tidy(() => {
      const a = tf.tensor2d(codes.codes, [3, 10], 'int32');
      const b = tf.tensor2d(kernel.codes, [10, 4], 'int32');
      const product = logDomainMatMul(a, b, {
        aKind: 'pow2',
        bKind: 'pow2',
        scale: codes.scale[0]! * kernel.scale[0]!,
        fracBits: 2,
      });
      return tf.add(product, tf.tensor1d(bias!));
    });
    expect(values(y)).toEqual(values(want));
    const integer = layer.integerForward(x);
    expect(values(integer)).toEqual(values(y));
    // In training the layer computes the exact product.
    const exact = built(
      quantDense({ units: 4, biasInitializer: 'ones', kernelQuantizer: log5, inputQuantizer: log5 }),
      x,
    );
    const trained = layer.apply(x, { training: true }) as tf.Tensor;
    const exactY = exact.apply(x) as tf.Tensor;
    expect(values(trained)).toEqual(values(exactY));
    expect(values(y)).not.toEqual(values(exactY));
    tf.dispose([x, y, want, integer, trained, exactY]);
  });

  it('a finer table is closer to exact accumulation (conv2d, channelsFirst, dilation)', () => {
    const x = ramp([2, 3, 8, 8], 1.5);
    const error = (fracBits: number) => {
      const make = (arithmetic: unknown) =>
        built(
          quantConv2d({
            filters: 4,
            kernelSize: 3,
            padding: 'same',
            dataFormat: 'channelsFirst',
            dilationRate: 2,
            useBias: false,
            kernelQuantizer: log5,
            inputQuantizer: log5,
            arithmetic: arithmetic as never,
          }),
          x,
        );
      const layer = make({ className: 'LowbitLogAccumulateArithmetic', config: { fracBits } });
      const exact = make('exact');
      const a = layer.apply(x) as tf.Tensor;
      const b = exact.apply(x) as tf.Tensor;
      expect(a.shape).toEqual(b.shape);
      const e = relError(a, b);
      tf.dispose([a, b]);
      return e;
    };
    const coarse = error(0);
    const fine = error(8);
    expect(fine).toBeLessThan(0.02);
    expect(fine).toBeLessThan(coarse);
    tf.dispose(x);
  });

  it('conv2d with a 1x1 kernel and depthwise with multiplier 1 reduce to the dense accumulation', () => {
    const x = ramp([1, 3, 3, 4], 1.5);
    const arithmetic = 'log-accumulate';
    const conv = built(
      quantConv2d({
        filters: 2,
        kernelSize: 1,
        useBias: false,
        kernelQuantizer: log5,
        inputQuantizer: log5,
        arithmetic,
      }),
      x,
    );
    const dense = quantDense({ units: 2, useBias: false, kernelQuantizer: log5, inputQuantizer: log5, arithmetic });
    const flat = tf.reshape(x, [9, 4]);
    dense.apply(flat);
    dense.setWeights([tf.reshape(conv.getWeights()[0]!, [4, 2])]);
    const a = conv.apply(x) as tf.Tensor;
    const b = dense.apply(flat) as tf.Tensor;
    expect(values(a)).toEqual(values(b));
    // depthwise 1x1, multiplier 1: one term per output, so log accumulation is exact
    const dw = built(
      quantDepthwiseConv2d({ kernelSize: 1, useBias: false, kernelQuantizer: log5, inputQuantizer: log5, arithmetic }),
      x,
    );
    const exactDw = quantDepthwiseConv2d({
      kernelSize: 1,
      useBias: false,
      kernelQuantizer: log5,
      inputQuantizer: log5,
    });
    exactDw.apply(x);
    exactDw.setWeights(dw.getWeights());
    const c = dw.apply(x) as tf.Tensor;
    const d = exactDw.apply(x) as tf.Tensor;
    expect(values(c)).toEqual(values(d));
    expect(values(dw.integerForward(x))).toEqual(values(c));
    tf.dispose([x, flat, a, b, c, d]);
  });

  it('cost, config and validation', () => {
    const layer = quantDense({
      units: 2,
      kernelQuantizer: 'log2',
      inputQuantizer: 'log2',
      arithmetic: 'log-accumulate',
    });
    expect(layer.arithmetic).toBeInstanceOf(LowbitLogAccumulateArithmetic);
    expect(layer.lowbitPrecision().arithmetic).toEqual({
      multiply: 'shift',
      name: 'log-accumulate',
      accumulate: 'log',
    });
    expect(layer.getConfig().arithmetic).toEqual({
      className: 'LowbitLogAccumulateArithmetic',
      config: { fracBits: 3 },
    });
    expect(() => new LowbitLogAccumulateArithmetic({ fracBits: 9 })).toThrow(LowbitConfigError);
    expect(() => new LowbitLogAccumulateArithmetic({ bits: 3 } as never)).toThrow(/bits/);
    const linearInput = () =>
      quantDense({ units: 2, kernelQuantizer: 'log2', inputQuantizer: 'linear-fsr', arithmetic: 'log-accumulate' });
    expect(linearInput).toThrow(/LowbitLogAccumulateArithmetic \+ LowbitLinearFsrQuantizer/);
    expect(linearInput).toThrow(/pow2 input codes/);
  });

  it('saves and loads; trains without leaking tensors', async () => {
    const arithmetic = { className: 'LowbitLogAccumulateArithmetic', config: { fracBits: 4 } };
    const net = tfl.sequential({
      layers: [
        quantConv2d({
          inputShape: [5, 5, 2],
          filters: 2,
          kernelSize: 3,
          kernelQuantizer: log5,
          inputQuantizer: log5,
          arithmetic,
        }),
        tfl.layers.flatten(),
        quantDense({ units: 2, kernelQuantizer: log5, inputQuantizer: log5, arithmetic }),
      ],
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await net.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect((loaded.layers[0] as LowbitQuantConv2D).arithmetic.getConfig()).toEqual({ fracBits: 4 });
    const x = ramp([4, 5, 5, 2], 1.5);
    const a = net.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(values(b)).toEqual(values(a));
    net.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const y = tf.zeros([4, 2]);
    await net.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const n0 = tf.memory().numTensors;
    await net.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0 });
    tf.dispose(net.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(n0);
    tf.dispose([x, y, a, b]);
    net.dispose();
    loaded.dispose();
  });
});
