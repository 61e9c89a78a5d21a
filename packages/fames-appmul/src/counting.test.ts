import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import {
  conv2dCountingMatrix,
  denseCountingMatrix,
  depthwiseConv2dCountingMatrix,
  estimateLossChange,
  estimateLossTerms,
  type PerSampleCounting,
} from './counting.js';
import { exactMultiplier } from './families/exact.js';
import { truncatedMultiplier } from './families/truncated.js';
import { drumMultiplier } from './families/drum.js';
import { codeToPattern } from './operand.js';
import { appMulMatMul } from './simulate/appmul-matmul.js';
import { appMulConv2dCodes } from './simulate/appmul-conv2d.js';
import { appMulDepthwiseConv2dCodes } from './simulate/appmul-depthwise-conv2d.js';

function rng(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const ints = (r: () => number, n: number, lo: number, hi: number) =>
  Int32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));

/** Matrix `s` of the sparse per-sample store, dense. */
function perSampleDense(ps: PerSampleCounting, s: number, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let j = ps.offsets[s]; j < ps.offsets[s + 1]; j++) out[ps.index[j]] = ps.value[j];
  return out;
}

const A = { bits: 3, signed: true };
const W = { bits: 4, signed: false };

describe('counting matrices', () => {
  it('dense G equals the explicit loop over every multiplication (per-channel scale)', () => {
    const r = rng(1);
    const [B, K, N] = [4, 5, 3];
    const a = ints(r, B * K, -4, 3);
    const w = ints(r, K * N, 0, 15);
    const dy = Float32Array.from({ length: B * N }, () => r() - 0.5);
    const scale = [0.5, 2, -1];
    const brute = new Float64Array(8 * 16);
    for (let b = 0; b < B; b++)
      for (let k = 0; k < K; k++)
        for (let n = 0; n < N; n++) {
          brute[codeToPattern(a[b * K + k], 3) * 16 + w[k * N + n]] += dy[b * N + n] * scale[n];
        }
    const [at, wt, dyt] = [tf.tensor2d(a, [B, K], 'int32'), tf.tensor2d(w, [K, N], 'int32'), tf.tensor2d(dy, [B, N])];
    const G = denseCountingMatrix(at, wt, dyt, { a: A, w: W }, scale);
    expect(G.g.length).toBe(128);
    G.g.forEach((v, i) => expect(v).toBeCloseTo(brute[i], 5));
    expect(brute.some((v) => v !== 0)).toBe(true);
    tf.dispose([at, wt, dyt]);
  });

  it('conv2d G and the AppMul conv2d equal explicit loops (same/stride 1 and valid/stride 2)', () => {
    const r = rng(2);
    const xs = [2, 5, 4, 2];
    const ws = [3, 2, 2, 3];
    const x = ints(r, 2 * 5 * 4 * 2, -4, 3);
    const w = ints(r, 3 * 2 * 2 * 3, 0, 15);
    const m = drumMultiplier({ a: A, w: W, k: 2 });
    for (const [stride, padding] of [
      [1, 'same'],
      [2, 'valid'],
    ] as const) {
      const xt = tf.tensor4d(x, xs as [number, number, number, number], 'int32');
      const wt = tf.tensor4d(w, ws as [number, number, number, number], 'int32');
      const y = appMulConv2dCodes(xt, wt, m, { strides: stride, padding, path: 'lut' });
      const [, Ho, Wo] = y.shape;
      // tfjs 'same' pads (k-1)/2 before: 1 row for kh=3, 0 columns for kw=2.
      const padY = padding === 'same' ? 1 : 0;
      expect([Ho, Wo]).toEqual(padding === 'same' ? [5, 4] : [2, 2]);
      const yRef = new Float64Array(y.size);
      const dy = Float32Array.from({ length: y.size }, () => r() - 0.5);
      const brute = new Float64Array(128);
      const Co = 3;
      const visit = (a: number, wc: number, b: number, oy: number, ox: number, o: number) => {
        const idx = ((b * Ho + oy) * Wo + ox) * Co + o;
        yRef[idx] += m.product(a, wc);
        brute[codeToPattern(a, 3) * 16 + wc] += dy[idx] * 0.25;
      };
      conv2dBruteWithPads(x, xs, w, ws, stride, padY, 0, visit, [Ho, Wo]);
      expect(Array.from(y.dataSync())).toEqual(Array.from(yRef));
      const dyt = tf.tensor4d(dy, y.shape);
      const G = conv2dCountingMatrix(xt, wt, dyt, { a: A, w: W }, 0.25, { strides: stride, padding });
      G.g.forEach((v, i) => expect(v).toBeCloseTo(brute[i], 5));
      tf.dispose([xt, wt, y, dyt]);
    }
  });

  it('dilated conv2d and depthwise conv2d: AppMul outputs and G equal explicit loops', () => {
    const r = rng(9);
    const [B, H, Wd, C] = [2, 6, 5, 2];
    const x = ints(r, B * H * Wd * C, -4, 3);
    const m = drumMultiplier({ a: A, w: W, k: 2 });
    const xt = tf.tensor4d(x, [B, H, Wd, C], 'int32');
    // 'same', stride 1, dilation 2, 2x2 kernel: extent 3, pad 1 before and after on each axis.
    for (const depthwise of [false, true]) {
      const [kh, kw, q] = [2, 2, depthwise ? 2 : 3];
      const w = ints(r, kh * kw * C * q, 0, 15);
      const wt = tf.tensor4d(w, [kh, kw, C, q], 'int32');
      const geometry = { strides: 1, padding: 'same', dilations: 2 } as const;
      const op = depthwise ? appMulDepthwiseConv2dCodes : appMulConv2dCodes;
      const y = op(xt, wt, m, { ...geometry, path: 'lut' });
      const N = depthwise ? C * q : q;
      expect(y.shape).toEqual([B, H, Wd, N]);
      const dy = Float32Array.from({ length: y.size }, () => r() - 0.5);
      const yRef = new Float64Array(y.size);
      const brute = new Float64Array(128);
      for (let b = 0; b < B; b++)
        for (let oy = 0; oy < H; oy++)
          for (let ox = 0; ox < Wd; ox++) {
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++)
                for (let c = 0; c < C; c++) {
                  const [yy, xx] = [oy + 2 * i - 1, ox + 2 * j - 1];
                  const a = yy < 0 || yy >= H || xx < 0 || xx >= Wd ? 0 : x[((b * H + yy) * Wd + xx) * C + c];
                  for (let f = 0; f < q; f++) {
                    // Output channel: filter f of the conv; input channel c's filter f for depthwise.
                    const idx = ((b * H + oy) * Wd + ox) * N + (depthwise ? c * q + f : f);
                    const wc = w[((i * kw + j) * C + c) * q + f];
                    yRef[idx] += m.product(a, wc);
                    brute[codeToPattern(a, 3) * 16 + wc] += dy[idx] * 0.5;
                  }
                }
          }
      expect(Array.from(y.dataSync())).toEqual(Array.from(yRef));
      const dyt = tf.tensor4d(dy, y.shape);
      const count = depthwise ? depthwiseConv2dCountingMatrix : conv2dCountingMatrix;
      const G = count(xt, wt, dyt, { a: A, w: W }, 0.5, geometry);
      G.g.forEach((v, i) => expect(v).toBeCloseTo(brute[i], 5));
      const wrong = tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
      expect(() => count(xt, wt, wrong, { a: A, w: W }, 0.5, geometry)).toThrow(/dLdY/);
      tf.dispose([wt, y, dyt, wrong]);
    }
    xt.dispose();
  });

  it('first-order estimate: exact for the linear term of a quadratic loss, close for cross-entropy', () => {
    const r = rng(3);
    const [B, K, N] = [6, 8, 4];
    const a = ints(r, B * K, -4, 3);
    const w = ints(r, K * N, 0, 15);
    const s = 0.02;
    const at = tf.tensor2d(a, [B, K], 'int32');
    const wt = tf.tensor2d(w, [K, N], 'int32');
    const target = tf.tensor2d(
      Float32Array.from({ length: B * N }, () => r() - 0.5),
      [B, N],
    );
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1, 2], 'int32'), N);
    const exact = exactMultiplier({ a: A, w: W });
    const approx = truncatedMultiplier({ a: A, w: W, columns: 2 });
    const yOf = (m: typeof exact) => tf.mul(appMulMatMul(at, wt, m), s);
    const quadratic = (y: tf.Tensor) => tf.mul(0.5, tf.sum(tf.square(tf.sub(y, target))));
    const crossEntropy = (y: tf.Tensor) => tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(y))));
    for (const [lossFn, name] of [
      [quadratic, 'quadratic'],
      [crossEntropy, 'cross-entropy'],
    ] as const) {
      const y0 = yOf(exact);
      const y1 = yOf(approx);
      const dy = tf.grad(lossFn)(y0) as tf.Tensor2D;
      const G = denseCountingMatrix(at, wt, dy, { a: A, w: W }, s);
      const estimate = estimateLossChange(G, approx);
      const actual = lossFn(y1).dataSync()[0] - lossFn(y0).dataSync()[0];
      const dySq = tf.sum(tf.square(tf.sub(y1, y0))).dataSync()[0];
      expect(Math.abs(estimate)).toBeGreaterThan(1e-3);
      if (name === 'quadratic') expect(actual - estimate).toBeCloseTo(0.5 * dySq, 4);
      else expect(Math.abs(actual - estimate)).toBeLessThan(0.05 * Math.abs(estimate));
      tf.dispose([y0, y1, dy]);
    }
    tf.dispose([at, wt, target, labels]);
  });

  it('per-sample matrices equal the brute-force loop per sample and sum to G (dense rows, conv, capped groups)', () => {
    const r = rng(4);
    const [B, K, N] = [6, 5, 3];
    const a = ints(r, B * K, -4, 3);
    const w = ints(r, K * N, 0, 15);
    const dy = Float32Array.from({ length: B * N }, () => r() - 0.5);
    const [at, wt, dyt] = [tf.tensor2d(a, [B, K], 'int32'), tf.tensor2d(w, [K, N], 'int32'), tf.tensor2d(dy, [B, N])];
    // 2 rows per sample: 3 samples.
    const G = denseCountingMatrix(at, wt, dyt, { a: A, w: W }, 0.5, { perSample: true, rowsPerSample: 2 });
    expect(G.perSample).toMatchObject({ count: 3, samplesPerMatrix: 1, lossWeight: 1 / 3 });
    for (let s = 0; s < 3; s++) {
      const brute = new Float64Array(128);
      for (let b = 2 * s; b < 2 * s + 2; b++)
        for (let k = 0; k < K; k++)
          for (let n = 0; n < N; n++) {
            brute[codeToPattern(a[b * K + k], 3) * 16 + w[k * N + n]] += dy[b * N + n] * 0.5;
          }
      const stored = perSampleDense(G.perSample!, s, 128);
      brute.forEach((v, i) => expect(stored[i]).toBeCloseTo(v, 5));
    }
    const summed = new Float64Array(128);
    for (let s = 0; s < 3; s++) perSampleDense(G.perSample!, s, 128).forEach((v, i) => (summed[i] += v));
    expect(G.perSample!.index.length).toBeLessThan(3 * 128); // sparse: only the pairs each sample multiplies
    summed.forEach((v, i) => expect(v).toBeCloseTo(G.g[i], 5));
    // Capped at 2 matrices' worth of entries: pairs of samples share one.
    const capped = denseCountingMatrix(at, wt, dyt, { a: A, w: W }, 0.5, { perSample: true, maxEntries: 256 });
    expect(capped.perSample).toMatchObject({ count: 2, samplesPerMatrix: 3 });
    Array.from(capped.g).forEach((v, i) => expect(v).toBeCloseTo(G.g[i], 10));

    const xs = [3, 4, 4, 2] as [number, number, number, number];
    const ws = [3, 3, 2, 2] as [number, number, number, number];
    const x = ints(r, 3 * 4 * 4 * 2, -4, 3);
    const wc = ints(r, 3 * 3 * 2 * 2, 0, 15);
    const dyc = Float32Array.from({ length: 3 * 4 * 4 * 2 }, () => r() - 0.5);
    const [xt, wct, dyct] = [tf.tensor4d(x, xs, 'int32'), tf.tensor4d(wc, ws, 'int32'), tf.tensor4d(dyc, [3, 4, 4, 2])];
    const Gc = conv2dCountingMatrix(xt, wct, dyct, { a: A, w: W }, [1, -2], { padding: 'same' }, { perSample: true });
    const bruteBySample = [0, 1, 2].map(() => new Float64Array(128));
    conv2dBruteWithPads(
      x,
      xs,
      wc,
      ws,
      1,
      1,
      1,
      (av, wv, b, oy, ox, o) => {
        bruteBySample[b][codeToPattern(av, 3) * 16 + wv] += dyc[((b * 4 + oy) * 4 + ox) * 2 + o] * [1, -2][o];
      },
      [4, 4],
    );
    bruteBySample.forEach((m, s) => {
      const stored = perSampleDense(Gc.perSample!, s, 128);
      m.forEach((v, i) => expect(stored[i]).toBeCloseTo(v, 4));
    });
    tf.dispose([at, wt, dyt, xt, wct, dyct]);
  });

  it('second-order term: exact where the empirical Fisher is the Hessian (-log y), closer to measured', () => {
    const r = rng(5);
    const [B, K] = [8, 6];
    const a = ints(r, B * K, 0, 3);
    const w = ints(r, K, 1, 15);
    const s = 0.05;
    const at = tf.tensor2d(a, [B, K], 'int32');
    const wt = tf.tensor2d(w, [K, 1], 'int32');
    const exact = exactMultiplier({ a: A, w: W });
    const approx = truncatedMultiplier({ a: A, w: W, columns: 3 });
    // y = 1 + s * sum a w > 0; per-sample loss -log y: its Hessian 1/y^2 equals its squared gradient.
    const yOf = (m: typeof exact) => tf.add(1, tf.mul(appMulMatMul(at, wt, m), s));
    const meanNegLog = (y: tf.Tensor) => tf.neg(tf.mean(tf.log(y)));
    const y0 = yOf(exact);
    const y1 = yOf(approx);
    const dy = tf.grad(meanNegLog)(y0) as tf.Tensor2D;
    const G = denseCountingMatrix(at, wt, dy, { a: A, w: W }, s, { perSample: true });
    const terms = estimateLossTerms(G, approx);
    const [v0, v1] = [y0.dataSync(), y1.dataSync()];
    let first = 0;
    let second = 0;
    for (let b = 0; b < B; b++) {
      const rel = (v1[b] - v0[b]) / v0[b];
      first -= rel / B;
      second += (0.5 * rel * rel) / B;
    }
    expect(second).toBeGreaterThan(1e-4);
    expect(terms.firstOrder).toBeCloseTo(first, 6);
    expect(terms.secondOrder).toBeCloseTo(second, 6);
    const actual = meanNegLog(y1).dataSync()[0] - meanNegLog(y0).dataSync()[0];
    const secondOrderError = Math.abs(actual - estimateLossChange(G, approx));
    const firstOrderError = Math.abs(actual - estimateLossChange(G, approx, { order: 1 }));
    expect(secondOrderError).toBeLessThan(0.5 * firstOrderError);
    // Without per-sample matrices only the first order is available.
    const G1 = denseCountingMatrix(at, wt, dy, { a: A, w: W }, s);
    expect(estimateLossChange(G1, approx)).toBeCloseTo(terms.firstOrder, 10);
    expect(() => estimateLossChange(G1, approx, { order: 2 })).toThrow(/perSample/);
    expect(() => estimateLossChange(G, approx, { order: 3 as never })).toThrow(LowbitConfigError);
    tf.dispose([at, wt, y0, y1, dy]);
  });

  it('bad input gives typed errors and no tensors leak', () => {
    const at = tf.tensor2d([[0, 3]], [1, 2], 'int32');
    const wt = tf.tensor2d([[1], [15]], [2, 1], 'int32');
    const dy = tf.tensor2d([[1]]);
    const ops = { a: A, w: W };
    denseCountingMatrix(at, wt, dy, ops);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) denseCountingMatrix(at, wt, dy, ops, [2]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => denseCountingMatrix(at, wt, dy, ops, [1, 2])).toThrow(/outputScale/);
    expect(() => denseCountingMatrix(at, wt, dy, ops, Number.NaN)).toThrow(LowbitConfigError);
    const wrongDy = tf.zeros([2, 1]) as tf.Tensor2D;
    const outOfRange = tf.tensor2d([[0, 4]], [1, 2], 'int32');
    expect(() => denseCountingMatrix(at, wt, wrongDy, ops)).toThrow(/dLdY/);
    expect(() => denseCountingMatrix(outOfRange, wt, dy, ops)).toThrow(LowbitDataError);
    tf.dispose([wrongDy, outOfRange]);
    expect(() => denseCountingMatrix(at, wt, dy, { a: { bits: 3, signed: 'yes' } as never, w: W })).toThrow(/a.signed/);
    expect(() => denseCountingMatrix(at, wt, dy, ops, 1, { perSample: true, lossWeight: 0 })).toThrow(/lossWeight/);
    expect(() => denseCountingMatrix(at, wt, dy, ops, 1, { perSample: 'yes' as never })).toThrow(/perSample/);
    expect(() => denseCountingMatrix(at, wt, dy, ops, 1, { samples: 2 } as never)).toThrow(/samples/);
    expect(tf.memory().numTensors).toBe(before); // failed calls leak nothing either
    const G = denseCountingMatrix(at, wt, dy, ops);
    expect(() => estimateLossChange(G, exactMultiplier({ a: W, w: W }))).toThrow(LowbitConfigError);
    tf.dispose([at, wt, dy]);
  });

  it('refuses NaN gradients, fractional codes and malformed counting matrices instead of returning NaN', () => {
    const at = tf.tensor2d([[0, 3]], [1, 2], 'int32');
    const wt = tf.tensor2d([[1], [5]], [2, 1], 'int32');
    const ops = { a: A, w: W };
    const nanDy = tf.tensor2d([[NaN]]);
    const dy = tf.tensor2d([[1]]);
    const fractional = tf.tensor2d([[0, 2.5]], [1, 2]);
    expect(() => denseCountingMatrix(at, wt, nanDy, ops)).toThrow(LowbitDataError);
    expect(() => denseCountingMatrix(at, wt, nanDy, ops)).toThrow(/dLdY\[0\] = NaN is not finite/);
    expect(() => denseCountingMatrix(fractional as tf.Tensor2D, wt, dy, ops)).toThrow(
      /aCodes\[1\] = 2.5 is not an integer/,
    );
    expect(() => denseCountingMatrix(at, wt, dy, ops, 1, null as never)).toThrow(LowbitConfigError);
    const x4 = tf.zeros([1, 2, 2, 1], 'int32') as tf.Tensor4D;
    const w4 = tf.zeros([3, 3, 1, 1], 'int32') as tf.Tensor4D;
    const dy4 = tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
    expect(() => conv2dCountingMatrix(x4, w4, dy4, ops)).toThrow(/xCodes .*smaller than the 3x3 kernel/);
    expect(() => conv2dCountingMatrix(x4, w4, dy4, ops, 1, { stride: 1 } as never)).toThrow(/geometry\.stride/);
    const G = denseCountingMatrix(at, wt, dy, ops, 1, { perSample: true });
    const m = truncatedMultiplier({ a: A, w: W, columns: 2 });
    expect(Number.isFinite(estimateLossChange(G, m))).toBe(true);
    const malformed: [unknown, RegExp][] = [
      [undefined, /counting = undefined/],
      [{ ...G, g: new Float64Array(3) }, /g must be a Float64Array of 2\^\(3\+4\) = 128 entries/],
      [{ ...G, extra: 1 }, /counting\.extra = 1/],
      [{ ...G, perSample: { ...G.perSample!, lossWeight: 0 } }, /lossWeight = 0/],
      [
        { ...G, perSample: { ...G.perSample!, index: new Int32Array(G.perSample!.index.length).fill(1e6) } },
        /index\[0\] = 1000000 is outside the table/,
      ],
    ];
    for (const [counting, message] of malformed) {
      expect(() => estimateLossChange(counting as never, m)).toThrow(message);
      expect(() => estimateLossTerms(counting as never, m)).toThrow(message);
    }
    expect(() => estimateLossChange(G, 'trunc2' as never)).toThrow(/m = "trunc2"/);
    tf.dispose([at, wt, nanDy, dy, fractional, x4, w4, dy4]);
  });
});

function conv2dBruteWithPads(
  x: Int32Array,
  xs: number[],
  w: Int32Array,
  ws: number[],
  stride: number,
  padTop: number,
  padLeft: number,
  visit: (a: number, wc: number, b: number, oy: number, ox: number, o: number) => void,
  out: [number, number],
) {
  const [B, H, Wd, C] = xs;
  const [kh, kw, , Co] = ws;
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < out[0]; oy++)
      for (let ox = 0; ox < out[1]; ox++)
        for (let o = 0; o < Co; o++) {
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              for (let c = 0; c < C; c++) {
                const y = oy * stride + i - padTop;
                const xx = ox * stride + j - padLeft;
                const a = y < 0 || y >= H || xx < 0 || xx >= Wd ? 0 : x[((b * H + y) * Wd + xx) * C + c];
                visit(a, w[((i * kw + j) * C + c) * Co + o], b, oy, ox, o);
              }
        }
}
