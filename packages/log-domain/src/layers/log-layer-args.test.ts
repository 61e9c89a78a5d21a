import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitLinearFsrQuantizer, LowbitLogQuantizer, LowbitQuantDense } from '@lowbit/quant-core';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { logConv2d } from './log-conv2d.js';
import { logDense } from './log-dense.js';

describe('log layer shorthand (weightBits, inputBits, base, FSR, linearInput)', () => {
  it('builds LogQuant / LinearQuant quantizers and reports them to hw-model', () => {
    const layer = logDense({ units: 4, weightBits: 4, inputBits: 3, base: 'sqrt2', weightFsr: -1, inputFsr: 2 });
    expect(layer.kernelQuantizer).toBeInstanceOf(LowbitLogQuantizer);
    expect(layer.kernelQuantizer?.getConfig()).toEqual({ bits: 4, base: 'sqrt2', signed: true, fsr: -1 });
    expect(layer.inputQuantizer?.getConfig()).toEqual({ bits: 3, base: 'sqrt2', signed: false, fsr: 2 });
    expect(layer.lowbitPrecision()).toMatchObject({
      weight: { kind: 'pow2', bits: 4, signed: true },
      input: { kind: 'pow2', bits: 3, signed: false },
    });
    const linear = logConv2d({ filters: 2, kernelSize: 3, inputBits: 5, linearInput: true });
    expect(linear.inputQuantizer).toBeInstanceOf(LowbitLinearFsrQuantizer);
    expect(linear.lowbitPrecision().input).toEqual({ kind: 'int', bits: 5, signed: false });
    expect(linear.kernelQuantizer).toBeNull();
  });

  it('saves the shorthand as quantizers: fromConfig(getConfig()) gives the same layer', () => {
    const layer = logDense({ units: 3, weightBits: 5, inputBits: 4, arithmetic: 'shift' });
    const config = layer.getConfig();
    expect(config.weightBits).toBeUndefined();
    expect(config.inputBits).toBeUndefined();
    const copy = LowbitQuantDense.fromConfig(LowbitQuantDense, JSON.parse(JSON.stringify(config))) as LowbitQuantDense;
    expect(copy.getConfig()).toEqual(config);
  });

  it('calibrated FSR (auto) follows the tensor: round(log2 max|x|) is the top level', () => {
    const layer = logDense({ units: 1, useBias: false, inputBits: 3, kernelInitializer: 'ones' });
    const x = tf.tensor2d([[6, 1, 0.5, 0.2]]); // max 6 -> FSR round(log2 6) = 3; unsigned 3 bits: 7 levels 2^-3..2^3
    const y = layer.apply(x) as tf.Tensor;
    // 6 -> 8, 1 -> 1, 0.5 -> 0.5, 0.2 -> 0.25 (2^-2.32 rounds to 2^-2)
    expect(y.dataSync()[0]).toBeCloseTo(8 + 1 + 0.5 + 0.25, 6);
    const small = tf.tensor2d([[0.75, 0.1, 0.01, 0]]); // FSR round(log2 0.75) = 0: levels 2^-6..2^0
    const ys = layer.apply(small) as tf.Tensor;
    // 0.75 -> 2^0, 0.1 -> 2^-3, 0.01: round(log2 0.01) = -7 is below the smallest level 2^-6 -> underflows to 0
    expect(ys.dataSync()[0]).toBeCloseTo(1 + 0.125, 6);
    tf.dispose([x, y, small, ys]);
  });

  it('shift inference on the shorthand quantizers (log x log, base 2, auto FSR) reproduces the exact path', () => {
    const layer = logDense({ units: 6, weightBits: 4, inputBits: 4, inputSigned: true, arithmetic: 'shift' });
    const x = tf.randomNormal([5, 9], 0, 1, 'float32', 3);
    const a = layer.apply(x) as tf.Tensor;
    const b = layer.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('shift inference with LinearQuant inputs x log weights (int x pow2 shifts) reproduces the exact path', () => {
    const layer = logConv2d({
      filters: 3,
      kernelSize: 2,
      padding: 'same',
      weightBits: 4,
      inputBits: 5,
      inputFsr: 2,
      linearInput: true,
      arithmetic: 'shift',
    });
    const x = tf.randomUniform([2, 5, 5, 2], 0, 5, 'float32', 4);
    const a = layer.apply(x) as tf.Tensor;
    const b = layer.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('rejects bad shorthand with typed errors', () => {
    expect(() => logDense({ units: 2, weightBits: 0 })).toThrow(LowbitConfigError);
    // signed needs a sign bit and >= 1 exponent bit
    expect(() => logDense({ units: 2, weightBits: 1 })).toThrow(/bits/);
    expect(() => logDense({ units: 2, inputBits: 40 })).toThrow(/bits/);
    expect(() => logDense({ units: 2, weightBits: 4, weightFsr: Number.NaN })).toThrow(/fsr/);
    expect(() => logDense({ units: 2, weightBits: 4, weightFsr: Infinity })).toThrow(LowbitConfigError);
    expect(() => logDense({ units: 2, weightBits: 4, weightFsr: 1.5 })).toThrow(/fsr/);
    expect(() => logDense({ units: 2, weightFsr: 2 })).toThrow(/weightBits/);
    expect(() => logDense({ units: 2, linearInput: true })).toThrow(/inputBits/);
    expect(() => logDense({ units: 2, inputSigned: true })).toThrow(/inputBits/);
    expect(() => logDense({ units: 2, base: 10 as never, weightBits: 4 })).toThrow(/base/);
    expect(() => logDense({ units: 2, weightBits: 4, kernelQuantizer: 'log2' })).toThrow(/either/);
    expect(() => logDense({ units: 2, inputBits: 4, inputQuantizer: 'log2' })).toThrow(/either/);
    expect(() => logDense({ units: 2, inputBits: 4, linearInput: 'yes' as never })).toThrow(/linearInput/);
  });

  it('names of the previous release are rejected with their new name', () => {
    const old = (args: Record<string, unknown>) => () => logDense({ units: 2, ...args } as never);
    expect(old({ activationBits: 4 })).toThrow(/activationBits .*renamed: use inputBits/);
    expect(old({ activationFsr: 1 })).toThrow(/inputFsr/);
    expect(old({ activationSigned: true })).toThrow(/inputSigned/);
    expect(old({ linearActivations: true })).toThrow(/linearInput/);
    expect(old({ inferenceArithmetic: 'shift' })).toThrow(/arithmetic \('exact' or 'shift'\)/);
  });
});
