import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '@lowbit/quant-core';
import { expectConfigError } from '../test/config-error.js';
import { axisPadding, convGeometry, extractPatches, normalisePair } from './patches.js';

/** Patches by explicit loops with tfjs's padding rule (taps `d` apart). */
function patchesBrute(
  x: Float32Array,
  [B, H, W, C]: number[],
  kh: number,
  kw: number,
  stride: number,
  same: boolean,
  d = 1,
) {
  const [eh, ew] = [(kh - 1) * d + 1, (kw - 1) * d + 1];
  const oh = same ? Math.ceil(H / stride) : Math.ceil((H - eh + 1) / stride);
  const ow = same ? Math.ceil(W / stride) : Math.ceil((W - ew + 1) / stride);
  const top = same ? Math.floor(Math.max((oh - 1) * stride + eh - H, 0) / 2) : 0;
  const left = same ? Math.floor(Math.max((ow - 1) * stride + ew - W, 0) / 2) : 0;
  const P = kh * kw * C;
  const out = new Float32Array(B * oh * ow * P);
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            for (let c = 0; c < C; c++) {
              const y = oy * stride + i * d - top;
              const xx = ox * stride + j * d - left;
              const v = y < 0 || y >= H || xx < 0 || xx >= W ? 0 : x[((b * H + y) * W + xx) * C + c];
              out[((b * oh + oy) * ow + ox) * P + (i * kw + j) * C + c] = v;
            }
  return { out, shape: [B, oh, ow, P] };
}

describe('extractPatches', () => {
  it('equals explicit loops for valid/same padding, strides 1-3, dilations 1-2, odd sizes', () => {
    const shape = [2, 7, 6, 3];
    const x = Float32Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => ((i * 37) % 23) - 11);
    const xt = tf.tensor4d(x, shape as [number, number, number, number]);
    for (const path of ['kernel', 'composed'] as const)
      for (const [kh, kw, d] of [
        [1, 1, 1],
        [3, 2, 1],
        [5, 5, 1],
        [3, 2, 2],
        [2, 2, 3],
      ])
        for (const stride of [1, 2, 3])
          for (const same of [false, true]) {
            const p = extractPatches(xt, kh, kw, {
              strides: stride,
              padding: same ? 'same' : 'valid',
              dilations: d,
              path,
            });
            const ref = patchesBrute(x, shape, kh, kw, stride, same, d);
            expect(p.shape).toEqual(ref.shape);
            expect(Array.from(p.dataSync())).toEqual(Array.from(ref.out));
            p.dispose();
          }
    xt.dispose();
  });

  it('gradient: each input receives the sum of the upstream gradients of its copies (kernel = composed)', () => {
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    for (const path of ['kernel', 'composed'] as const) {
      // d(sum patches)/dx counts how many patches hold each pixel: 3x3 valid, stride 2 -> corners once, centre 4 times.
      const g = tf.grad((v: tf.Tensor) => tf.sum(extractPatches(v as tf.Tensor4D, 3, 3, { strides: 2, path })))(x);
      const counts = Array.from(g.dataSync()).filter((_, i) => i % 2 === 0);
      expect(counts).toEqual([1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 2, 2, 4, 2, 2, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1]);
      g.dispose();
    }
    // A weighted upstream gradient, 'same' padding, stride 2: both paths agree on every pixel.
    const xr = tf.randomUniform([2, 5, 4, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const weights = tf.randomUniform([2, 3, 2, 27], -1, 1, 'float32', 4);
    const grads = (['kernel', 'composed'] as const).map((path) =>
      tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(extractPatches(v as tf.Tensor4D, 3, 3, { strides: 2, padding: 'same', path }), weights)),
      )(xr),
    );
    const [gk, gc] = grads.map((g) => Array.from(g.dataSync()));
    gk.forEach((v, i) => expect(v).toBeCloseTo(gc[i], 5));
    tf.dispose([x, xr, weights, ...grads]);
  });

  it('bad input: typed errors naming the argument, no leaks', () => {
    const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => extractPatches(x, 5, 5)).toThrow(LowbitConfigError);
    expect(() => extractPatches(x, 2, 2, { dilations: 3 })).toThrow(/smaller than the 2x2 kernel/);
    expect(() => extractPatches(x, 0, 1)).toThrow(/kh/);
    expect(() => extractPatches(x, 1, 1, { strides: 0 })).toThrow(/strides/);
    expect(() => extractPatches(x, 1, 1, { dilations: [1, 0] })).toThrow(/dilations/);
    expect(() => extractPatches(x, 1, 1, { padding: 'full' as never })).toThrow(/padding/);
    expect(() => extractPatches(x, 1, 1, { path: 'fast' as never })).toThrow(/path/);
    expect(() => extractPatches(x, 1, 1, { stride: 1 } as never)).toThrow(/stride/);
    for (let i = 0; i < 3; i++) extractPatches(x, 2, 2, { strides: 2, padding: 'same' }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('axisPadding, normalisePair and convGeometry name a bad argument (no NaN out)', () => {
    expect(axisPadding(5, 2, 1, 'same')).toEqual([5, 0, 1]);
    expect(axisPadding(2, 3, 1, 'valid')[0]).toBe(0); // the kernel does not fit: callers name their input
    expectConfigError(() => axisPadding(NaN, 2, 1, 'same'), 'size');
    expectConfigError(() => axisPadding(5, 0, 1, 'same'), 'k');
    expectConfigError(() => axisPadding(5, 2, 1e9, 'same'), 'stride');
    expectConfigError(() => axisPadding(5, 2, 1, 'full' as never), 'padding');
    expectConfigError(() => axisPadding(5, 2, 1, 'same', 0.5), 'dilation');
    expectConfigError(() => normalisePair([] as never, 1), 'argument');
    expectConfigError(() => normalisePair('dilations', [1, 2, 3] as never), 'dilations');
    const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    expect(convGeometry(x, 2, 2, { padding: 'same' })).toMatchObject({ outH: 3, outW: 3, padTop: 0, padLeft: 0 });
    expectConfigError(() => convGeometry(undefined as never, 2, 2), 'x');
    expectConfigError(() => convGeometry(x, 2, 2, { path: 'kernel' } as never), 'options.path');
    expectConfigError(() => convGeometry(x, 4, 2), 'x');
    expectConfigError(() => convGeometry(tf.zeros([1, 0, 3, 1]) as tf.Tensor4D, 1, 1, { padding: 'same' }), 'x');
    x.dispose();
  });
});
