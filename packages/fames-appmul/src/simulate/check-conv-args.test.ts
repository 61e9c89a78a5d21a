import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitDataError } from '@lowbit/quant-core';
import { truncatedMultiplier } from '../families/truncated.js';
import { expectConfigError } from '../test/config-error.js';
import { appMulConv2dCodes } from './appmul-conv2d.js';
import { appMulDepthwiseConv2dCodes } from './appmul-depthwise-conv2d.js';
import '../kernels/register.js';

const m = truncatedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, columns: 3 });
const codes = (shape: readonly number[], lo: number, n: number) => {
  const size = shape.reduce((p, q) => p * q, 1);
  const values = Int32Array.from({ length: size }, (_, i) => lo + ((i * 5) % n));
  return tf.tensor4d(values, shape as [number, number, number, number], 'int32');
};

describe('appMulConv2dCodes / appMulDepthwiseConv2dCodes: arguments checked once per call', () => {
  for (const [name, op, wShape] of [
    ['appMulConv2dCodes', appMulConv2dCodes, [2, 2, 2, 3]],
    ['appMulDepthwiseConv2dCodes', appMulDepthwiseConv2dCodes, [2, 2, 2, 1]],
  ] as const) {
    it(`${name}: names a missing multiplier, a bad tensor or option; NaN codes are a LowbitDataError`, () => {
      const x = codes([1, 4, 4, 2], 0, 16);
      const w = codes([...wShape], -8, 16);
      const before = tf.memory().numTensors;
      expectConfigError(() => op(x, w, undefined as never), 'm');
      expectConfigError(() => op(undefined as never, w, m), 'x');
      const flat = tf.zeros([2, 2]);
      const threeChannels = codes([2, 2, 3, 1], 0, 4);
      expectConfigError(() => op(x, flat as never, m), 'w.shape');
      expectConfigError(() => op(x, threeChannels, m), 'w');
      tf.dispose([flat, threeChannels]);
      expectConfigError(() => op(x, w, m, null as never), 'options');
      expectConfigError(() => op(x, w, m, { stride: 1 } as never), 'options.stride');
      expectConfigError(() => op(x, w, m, { patches: 'fast' as never }), 'patches');
      expectConfigError(() => op(x, w, m, { checkCodes: 1 as never }), 'checkCodes');
      for (const patches of ['auto', 'composed'] as const) {
        const nan = tf.tensor4d(
          Float32Array.from({ length: 32 }, (_, i) => (i === 3 ? NaN : 1)),
          [1, 4, 4, 2],
        );
        const error = (() => {
          try {
            op(nan, w, m, { patches });
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(LowbitDataError);
        expect((error as Error).message).toContain(`${name}: x holds a code that is not an integer`);
        nan.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w]);
    });
  }
});
