import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, quantDense } from '@lowbit/quant-core';
import '../index.js';
import { LowbitCountingArithmetic } from './counting-arithmetic.js';

const act = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wgt = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'weight' } };

describe('LowbitCountingArithmetic', () => {
  it('computes the exact product, records the first operand codes, adds the probe once set', () => {
    const layer = quantDense({
      units: 2,
      inputShape: [3],
      inputQuantizer: act,
      kernelQuantizer: wgt,
      useBias: false,
      arithmetic: 'appmul',
    });
    const model = tfl.sequential({ layers: [layer] });
    const x = tf.tensor2d([
      [0.1, 0.5, 0.9],
      [1, 0, 0.3],
    ]);
    const exact = model.predict(x) as tf.Tensor;
    const counting = new LowbitCountingArithmetic();
    layer.setArithmetic(counting);
    const y = model.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(exact.dataSync()));
    expect(counting.productShape).toEqual([2, 2]);
    expect(Array.from(counting.codes!.input.codes)).toEqual(Array.from(layer.inputQuantizer!.quantize(x).codes));
    expect(counting.codes!.kernel.shape).toEqual([3, 2]);
    expect(counting.codes!.layout).toEqual({ operation: 'dense', geometry: null, inputShape: [2, 3] });
    counting.probe = tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    );
    const recorded = counting.codes;
    const z = model.apply(x) as tf.Tensor;
    expect(counting.codes).toBe(recorded);
    const shifted = Array.from(exact.dataSync()).map((v, i) => Math.fround(v + [1, 2, 3, 4][i]!));
    expect(Array.from(z.dataSync())).toEqual(shifted);
    expect(counting.cost()).toEqual({ multiply: 'exact', name: 'exact' });
    expect(() => quantDense({ units: 2, kernelQuantizer: wgt, arithmetic: new LowbitCountingArithmetic() })).toThrow(
      LowbitConfigError,
    );
    tf.dispose([x, exact, y, z, counting.probe]);
    model.dispose();
  });
});
