import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  Arithmetic,
  LowbitConfigError,
  LowbitLogQuantizer,
  LowbitQuantConv2D,
  LowbitQuantDense,
  LowbitWrpnQuantizer,
  registerArithmetic,
  type ArithmeticCost,
  type IntegerProductContext,
  type ProductContext,
  type QuantizedTensor,
} from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import { wrpnActivation } from './wrpn-activation.js';
import { wrpnConv2d, wrpnDense } from './wrpn-layers.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** A stand-in for another technique's arithmetic: twice the exact product. */
export class LowbitTwiceArithmetic extends Arithmetic {
  static className = 'LowbitTwiceArithmetic';
  product(ctx: ProductContext): tf.Tensor {
    return tf.mul(ctx.exact(ctx.input, ctx.kernel), 2);
  }
  integerProduct(input: QuantizedTensor, kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor {
    const a = tf.tensor(input.dequantize(), ctx.inputShape);
    const k = tf.tensor(kernel.dequantize(), kernel.shape);
    return tf.mul(ctx.exact(a, k), 2);
  }
  cost(): ArithmeticCost {
    return { multiply: 'approximate', name: 'twice', energyRatio: 0.5 };
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
registerArithmetic(LowbitTwiceArithmetic, ['twice-test']);

describe('wrpnDense / wrpnConv2d', () => {
  it('quantize the kernel with WRPN at weightBits, and the input at inputBits', () => {
    const layer = wrpnDense({ units: 2, useBias: false, weightBits: 3, inputBits: 2 });
    expect(layer).toBeInstanceOf(LowbitQuantDense);
    layer.build([null, 2]);
    layer.setWeights([
      tf.tensor2d([
        [0.5, -0.2],
        [1.4, 0.1],
      ]),
    ]);
    // 3-bit weights: round(3 w) / 3 -> [[2/3, -1/3], [1, 0]]; 2-bit inputs: round(3 clip(a, 0, 1)) / 3.
    const x = tf.tensor2d([
      [0.4, -0.3],
      [0.9, 0.6],
    ]);
    const y = layer.apply(x) as tf.Tensor;
    const w = [
      [2 / 3, -1 / 3],
      [1, 0],
    ];
    const a = [
      [1 / 3, 0],
      [1, 2 / 3],
    ];
    const want = a.map((row) => [0, 1].map((j) => row[0]! * w[0]![j]! + row[1]! * w[1]![j]!)).flat();
    values(y).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    expect(layer.lowbitPrecision()).toMatchObject({
      weight: { kind: 'int', bits: 3, signed: true },
      input: { kind: 'int', bits: 2, signed: false },
    });
    expect(layer.getConfig().kernelQuantizer).toEqual({
      className: 'LowbitWrpnQuantizer',
      config: { bits: 3, mode: 'weight' },
    });
    tf.dispose([x, y]);
  });

  it('widen by width; 32 bits means a float operand (no quantizer)', () => {
    const conv = wrpnConv2d({ filters: 3, kernelSize: 3, weightBits: 4, width: 2 });
    expect(conv).toBeInstanceOf(LowbitQuantConv2D);
    expect(conv.getConfig().filters).toBe(6);
    expect(conv.inputQuantizer).toBeNull();
    const dense = wrpnDense({ units: 5, weightBits: 32, inputBits: 32, width: 3 });
    expect(dense.units).toBe(15);
    expect(dense.kernelQuantizer).toBeNull();
    expect(dense.inputQuantizer).toBeNull();
  });

  it("carry other techniques' parts: an input quantizer of their own and an arithmetic", () => {
    const layer = wrpnDense({
      units: 2,
      useBias: false,
      weightBits: 4,
      inputQuantizer: { className: 'LowbitLogQuantizer', config: { bits: 4, signed: false, fsr: 0 } },
      arithmetic: 'twice-test',
    });
    expect(layer.inputQuantizer).toBeInstanceOf(LowbitLogQuantizer);
    expect(layer.arithmetic).toBeInstanceOf(LowbitTwiceArithmetic);
    layer.build([null, 2]);
    layer.setWeights([
      tf.tensor2d([
        [1, 0],
        [0, -1],
      ]),
    ]);
    const x = tf.tensor2d([[0.5, 0.25]]);
    const y = layer.apply(x) as tf.Tensor;
    expect(values(y)).toEqual([1, -0.5]);
    expect(layer.lowbitPrecision()).toMatchObject({
      weight: { kind: 'int', bits: 4 },
      input: { kind: 'pow2', bits: 4 },
      arithmetic: { multiply: 'approximate', name: 'twice' },
    });
    tf.dispose([x, y]);
  });

  it('survive getConfig / fromConfig with the same predictions', async () => {
    const model = tfl.sequential({
      layers: [
        wrpnConv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, weightBits: 2, inputBits: 4, name: 'c' }),
        tfl.layers.flatten(),
        wrpnDense({ units: 2, weightBits: 8, inputBits: 8, arithmetic: 'twice-test', name: 'd' }),
      ],
    });
    const copy = await tfl.models.modelFromJSON(model.toJSON(null, false) as never);
    copy.setWeights(model.getWeights());
    const x = tf.randomUniform([2, 5, 5, 1], 0, 1, 'float32', 5);
    const a = model.predict(x) as tf.Tensor;
    const b = copy.predict(x) as tf.Tensor;
    expect(values(b)).toEqual(values(a));
    expect(copy.getLayer('d').getConfig().arithmetic).toEqual({ className: 'LowbitTwiceArithmetic', config: {} });
    tf.dispose([x, a, b]);
    model.dispose();
    copy.dispose();
  });

  it('reject bad options with typed errors', () => {
    expect(() => wrpnDense({ units: 2, weightBits: 0 })).toThrow(/wrpnDense.weightBits = 0/);
    expect(() => wrpnDense({ units: 2, weightBits: 4, inputBits: 20 })).toThrow(/wrpnDense.inputBits = 20/);
    expect(() => wrpnDense({ units: 2, weightBits: 4, width: 0 })).toThrow(/wrpnDense.width = 0/);
    expect(() => wrpnConv2d({ filters: 2, kernelSize: 3, weightBits: 4, width: 1.5 })).toThrow(
      /wrpnConv2d.width = 1.5/,
    );
    expect(() => wrpnDense({ units: 2, weightBits: 4, inputBits: 4, inputQuantizer: 'wrpn' })).toThrow(
      /either inputBits or inputQuantizer/,
    );
    expect(() => wrpnDense({ units: 2, weightBits: 4, kernelQuantizer: 'wrpn' } as never)).toThrow(/kernelQuantizer/);
    expect(() => wrpnDense({ units: 2, bits: 4 } as never)).toThrow(/weightBits and inputBits/);
    expect(() => wrpnDense(null as never)).toThrow(LowbitConfigError);
  });
});

describe('wrpnDense / wrpnConv2d initial weights', () => {
  /** Fraction of a layer's kernel that its WRPN weight quantizer rounds to 0. */
  const zeroFraction = (layer: LowbitQuantDense | LowbitQuantConv2D, bits: number) =>
    tf.tidy(() => {
      const q = new LowbitWrpnQuantizer({ bits }).call(layer.getWeights()[0]);
      return tf.mean(tf.cast(tf.equal(q, 0), 'float32')).dataSync()[0];
    });

  it('a quantized kernel starts spread over the WRPN grid, where Glorot would round every weight to 0', () => {
    // The 64C5 of a LeNet on 32 channels: Glorot's limit sqrt(6 / (800 + 1600)) = 0.05 is below the
    // 4-bit rounding threshold 1/14, so Glorot weights all quantize to 0.
    const wrpn = wrpnConv2d({ filters: 64, kernelSize: 5, weightBits: 4 });
    const glorot = wrpnConv2d({
      filters: 64,
      kernelSize: 5,
      weightBits: 4,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    });
    const x = tf.zeros([1, 12, 12, 32]);
    tf.dispose([wrpn.apply(x) as tf.Tensor, glorot.apply(x) as tf.Tensor, x]);
    expect(zeroFraction(glorot, 4)).toBe(1);
    // LowbitWrpnUniform: L = max(0.05, 1.5 / 7) = 0.214, so P(|w| < 1/14) = 1/3.
    expect(zeroFraction(wrpn, 4)).toBeGreaterThan(0.25);
    expect(zeroFraction(wrpn, 4)).toBeLessThan(0.42);
    const range = tf.tidy(() => [
      tf.min(wrpn.getWeights()[0]).dataSync()[0],
      tf.max(wrpn.getWeights()[0]).dataSync()[0],
    ]);
    expect(range[0]).toBeLessThan(-0.2);
    expect(range[1]).toBeGreaterThan(0.2);
    expect(range[0]).toBeGreaterThanOrEqual(-1.5 / 7);
    expect(range[1]).toBeLessThanOrEqual(1.5 / 7);
    wrpn.dispose();
    glorot.dispose();
  });

  it("keeps an explicit kernelInitializer, and tfjs' default for a float kernel", () => {
    const init = (layer: LowbitQuantDense) =>
      layer.getConfig().kernelInitializer as { className: string; config: object };
    expect(init(wrpnDense({ units: 2, weightBits: 4 }))).toEqual({
      className: 'LowbitWrpnUniform',
      config: { bits: 4 },
    });
    // tfjs serializes glorotUniform and heNormal as VarianceScaling.
    expect(init(wrpnDense({ units: 2, weightBits: 32 }))).toMatchObject({
      className: 'VarianceScaling',
      config: { mode: 'fanAvg', scale: 1 },
    });
    expect(init(wrpnDense({ units: 2, weightBits: 4, kernelInitializer: 'heNormal' }))).toMatchObject({
      className: 'VarianceScaling',
      config: { mode: 'fanIn', scale: 2 },
    });
  });

  it('a wide 4-bit net gets gradients at its first layer (with Glorot weights it gets none)', () => {
    // Dense 1024 -> 1024 (4-bit) -> BN -> WRPN act -> 512 (4-bit) -> BN -> WRPN act -> 10.
    const net = (glorot: boolean) => {
      const init = glorot ? { kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) } : {};
      return tfl.sequential({
        layers: [
          wrpnDense({ inputShape: [1024], units: 1024, weightBits: 4, useBias: false, name: 'h1', ...init }),
          tfl.layers.batchNormalization(),
          wrpnActivation({ outputBits: 4 }),
          wrpnDense({ units: 512, weightBits: 4, inputBits: 4, useBias: false, name: 'h2', ...init }),
          tfl.layers.batchNormalization(),
          wrpnActivation({ outputBits: 4 }),
          wrpnDense({ units: 10, weightBits: 8, inputBits: 4, name: 'out' }),
        ],
      });
    };
    const x = tf.randomUniform([8, 1024], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const firstLayerGradient = (model: tfl.Sequential) =>
      tf.tidy(() => {
        const kernel = model.getLayer('h1').trainableWeights[0].read() as tf.Variable;
        const g = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
          [kernel],
        );
        return tf.max(tf.abs(g.grads[kernel.name])).dataSync()[0];
      });
    const fixed = net(false);
    const glorot = net(true);
    expect(firstLayerGradient(fixed)).toBeGreaterThan(1e-4);
    expect(firstLayerGradient(glorot)).toBe(0);
    tf.dispose([x, y]);
    fixed.dispose();
    glorot.dispose();
  });
});
