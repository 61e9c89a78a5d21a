import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import '../index.js';
import { appMulConv2d } from './appmul-conv2d.js';
import { appMulDense } from './appmul-dense.js';
import { layerOperandCodes } from './layer-operand-codes.js';
import { multiplierOf } from './set-multiplier.js';

const actQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };

describe('layerOperandCodes', () => {
  it('gives integer codes for an input that fits, and a typed error naming x for one that does not', () => {
    const fc = appMulDense({ units: 2, inputQuantizer: actQ, kernelQuantizer: wQ, multiplier: 'trunc3_a4u_w4s' });
    const x = tf.randomUniform([3, 4], 0, 1, 'float32', 1);
    expect(() => layerOperandCodes(fc, x)).toThrow(/is not built yet/);
    tf.dispose(fc.apply(x) as tf.Tensor);
    const { aCodes, wCodes } = layerOperandCodes(fc, x);
    expect(aCodes.shape).toEqual([3, 4]);
    expect(wCodes.shape).toEqual([4, 2]);
    const before = tf.memory().numTensors;
    const bad = [tf.scalar(0.5), tf.zeros([3, 5]), tf.zeros([3, 4], 'int32'), tf.fill([1, 1, 1, 1, 2], 0.5)];
    for (const b of bad) expect(() => layerOperandCodes(fc, b)).toThrow(LowbitConfigError);
    expect(() => layerOperandCodes(fc, tf.zeros([3, 5]).dispose() as never)).toThrow(LowbitConfigError);
    tf.dispose(bad);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => layerOperandCodes(undefined as never, x)).toThrow(/layer = undefined/);
    expect(() => multiplierOf({ name: 'plain' } as never)).toThrow(/layer = "plain"/);
    const conv = appMulConv2d({ filters: 2, kernelSize: 2, inputQuantizer: actQ, kernelQuantizer: wQ });
    const img = tf.randomUniform([1, 4, 4, 3], 0, 1, 'float32', 2);
    tf.dispose(conv.apply(img) as tf.Tensor);
    const wrongChannels = tf.zeros([1, 4, 4, 2]);
    expect(() => layerOperandCodes(conv, wrongChannels)).toThrow(
      /x = \[1, 4, 4, 2\] is invalid: expected rank 4 with 3/,
    );
    tf.dispose([x, aCodes, wCodes, img, wrongChannels]);
  });
});
