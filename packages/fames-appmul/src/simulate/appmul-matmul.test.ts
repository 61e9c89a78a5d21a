import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { brokenArrayMultiplier } from '../families/broken-array.js';
import { drumMultiplier } from '../families/drum.js';
import { exactMultiplier } from '../families/exact.js';
import { mitchellMultiplier } from '../families/mitchell.js';
import { operandTruncationMultiplier } from '../families/operand-truncation.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { underdesignedMultiplier } from '../families/underdesigned.js';
import { appMulMatMulComposed } from '../kernels/appmul-matmul.js';
import { codeRange } from '../operand.js';
import { appMulMatMul, chooseAppMulPath } from './appmul-matmul.js';
import { lowRankFactors } from './low-rank.js';
import { expectConfigError } from '../test/config-error.js';
import { appMulMatMulReference } from './reference.js';

const u = (bits: number) => ({ bits, signed: false });
const s = (bits: number) => ({ bits, signed: true });

function rng(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomCodes(m: AppMul, B: number, K: number, N: number, seed: number) {
  const r = rng(seed);
  const [aLo, aHi] = codeRange(m.a);
  const [wLo, wHi] = codeRange(m.w);
  const a = Int32Array.from({ length: B * K }, (_, i) =>
    i === 0 ? aLo : i === 1 ? aHi : aLo + Math.floor(r() * (aHi - aLo + 1)),
  );
  const w = Int32Array.from({ length: K * N }, (_, i) =>
    i === 0 ? wLo : i === 1 ? wHi : wLo + Math.floor(r() * (wHi - wLo + 1)),
  );
  return { a, w };
}

const designs: AppMul[] = [
  truncatedMultiplier({ a: s(5), w: s(4), columns: 3, compensate: true }),
  brokenArrayMultiplier({ a: u(8), w: s(8), hbl: 1, vbl: 6 }),
  operandTruncationMultiplier({ a: u(6), w: s(3), dropA: 2, dropW: 1 }),
  mitchellMultiplier({ a: u(8), w: s(8), fractionBits: 5 }),
  drumMultiplier({ a: s(7), w: u(6), k: 3 }),
  underdesignedMultiplier({ a: u(4), w: s(4) }),
  exactMultiplier({ a: s(3), w: s(8) }),
];

describe('appMulMatMul', () => {
  it('LUT kernel, composed LUT and low-rank paths all equal the scalar reference bit for bit', () => {
    designs.forEach((m, d) => {
      const [B, K, N] = [3, 7, 5];
      const { a, w } = randomCodes(m, B, K, N, 11 + d);
      const ref = Array.from(appMulMatMulReference(a, w, [B, K, N], m));
      const at = tf.tensor2d(a, [B, K], 'int32');
      const wt = tf.tensor2d(w, [K, N], 'int32');
      for (const path of ['lut', 'low-rank', 'auto'] as const) {
        const y = appMulMatMul(at, wt, m, { path });
        expect(Array.from(y.dataSync()), `${m.name} ${path}`).toEqual(ref);
        y.dispose();
      }
      const composed = appMulMatMulComposed(at, wt, {
        table: m.table,
        bitsA: m.a.bits,
        bitsW: m.w.bits,
        aMin: codeRange(m.a)[0],
        aMax: codeRange(m.a)[1],
        wMin: codeRange(m.w)[0],
        wMax: codeRange(m.w)[1],
      });
      expect(Array.from(composed.dataSync()), `${m.name} composed`).toEqual(ref);
      tf.dispose([at, wt, composed]);
    });
  });

  it('truncation-type designs have exact integer factors of rank <= b_a; auto picks the path by rank', () => {
    const trunc = truncatedMultiplier({ a: u(8), w: u(8), columns: 6 });
    const f = lowRankFactors(trunc)!;
    expect(f.integer).toBe(true);
    expect(f.rank).toBeLessThanOrEqual(8);
    const E = trunc.errorTable();
    for (let p = 0; p < 256; p += 17)
      for (let j = 0; j < 256; j += 13) {
        let sum = 0;
        for (let i = 0; i < f.rank; i++) sum += f.u[p * f.rank + i] * f.v[j * f.rank + i];
        expect(sum).toBe(E[p * 256 + j]);
      }
    expect(lowRankFactors(operandTruncationMultiplier({ a: s(8), w: s(8), dropA: 2, dropW: 2 }))!.integer).toBe(true);
    // On cpu the LUT kernel beats the backend's own float ops; elsewhere a product table of rank <= 8 takes the low-rank path.
    expect(lowRankFactors(trunc, 8, 'product')!.rank).toBeLessThanOrEqual(8);
    expect(chooseAppMulPath(trunc, 64, {}, 'wasm')).toBe('low-rank');
    expect(chooseAppMulPath(trunc, 64, { maxRank: 2 }, 'wasm')).toBe('lut');
    expect(chooseAppMulPath(trunc, 64, {}, 'cpu')).toBe('lut');
    expect(chooseAppMulPath(trunc, 64, {}, 'webgl')).toBe('low-rank');
    expect(chooseAppMulPath(trunc, 1024, {}, 'webgl')).toBe('lut'); // float32 could no longer be exact
    expect(chooseAppMulPath(exactMultiplier({ a: u(8), w: u(8) }), 64)).toBe('exact');
    const mitchell = mitchellMultiplier({ a: u(8), w: u(8) });
    expect(lowRankFactors(mitchell, 8)).toBeNull();
    expect(chooseAppMulPath(mitchell, 64, {}, 'webgl')).toBe('lut');
  });

  it("gradient is the exact multiplier's (straight-through)", () => {
    const m = drumMultiplier({ a: u(6), w: s(6), k: 3 });
    const { a, w } = randomCodes(m, 2, 4, 3, 5);
    const at = tf.tensor2d(a, [2, 4], 'float32');
    const wt = tf.tensor2d(w, [4, 3], 'float32');
    const c = tf.tensor2d([
      [1, -2, 0.5],
      [3, 0, -1],
    ]);
    const [ga, gw] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(appMulMatMul(x as tf.Tensor2D, y as tf.Tensor2D, m), c)),
    )([at, wt]);
    const [ea, ew] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), c)),
    )([at, wt]);
    expect(Array.from(ga.dataSync())).toEqual(Array.from(ea.dataSync()));
    expect(Array.from(gw.dataSync())).toEqual(Array.from(ew.dataSync()));
    tf.dispose([at, wt, c, ga, gw, ea, ew]);
  });

  it('bad input gives typed errors', () => {
    const m = truncatedMultiplier({ a: u(4), w: s(4), columns: 2 });
    const a = tf.tensor2d([[0, 16]], [1, 2], 'int32');
    const w = tf.tensor2d([[1], [-8]], [2, 1], 'int32');
    const ok = tf.tensor2d([[0, 15]], [1, 2], 'int32');
    expect(() => appMulMatMul(a, w, m)).toThrow(LowbitDataError);
    expect(() => appMulMatMul(a, w, m, { path: 'lut', checkCodes: false })).toThrow(/activation code 16/);
    expect(() => appMulMatMul(ok, tf.tensor2d([[1, 2]], [1, 2], 'int32'), m)).toThrow(LowbitConfigError);
    expect(() => appMulMatMul(ok, w, m, { path: 'fast' as never })).toThrow(/path = "fast"/);
    expect(() => appMulMatMul(ok, w, m, { pathh: 'lut' } as never)).toThrow(/options.pathh/);
    expect(() => appMulMatMul(tf.tensor1d([1]) as never, w, m)).toThrow(/rank 2/);
    tf.dispose([a, w, ok]);
  });

  it('checks its arguments once per call: m, options, NaN and fractional codes name what is wrong', () => {
    const m = truncatedMultiplier({ a: u(4), w: s(4), columns: 2 });
    const a = tf.tensor2d([[0, 15]], [1, 2], 'int32');
    const w = tf.tensor2d([[1], [-8]], [2, 1], 'int32');
    const before = tf.memory().numTensors;
    expectConfigError(() => appMulMatMul(a, w, undefined as never), 'm');
    expectConfigError(() => appMulMatMul(a, w, { a: u(4), w: s(4) } as never), 'm');
    expectConfigError(() => appMulMatMul(undefined as never, w, m), 'a');
    expectConfigError(() => appMulMatMul(a, w, m, null as never), 'options');
    expectConfigError(() => appMulMatMul(a, w, m, { checkCodes: 'yes' as never }), 'checkCodes');
    expectConfigError(() => appMulMatMul(a, w, m, { maxRank: -1 }), 'maxRank');
    for (const path of ['lut', 'low-rank', 'auto'] as const) {
      const nan = tf.tensor2d([[0, NaN]]);
      const half = tf.tensor2d([[0, 2.5]]);
      expect(() => appMulMatMul(nan, w, m, { path })).toThrow(/appMulMatMul: a holds a code that is not an integer/);
      const halfW = tf.tensor2d([[1], [0.5]]);
      expect(() => appMulMatMul(a, halfW, m, { path })).toThrow(/w holds a code that is not an integer/);
      expect(() => appMulMatMul(half, w, m, { path })).toThrow(LowbitDataError);
      tf.dispose([nan, half, halfW]);
    }
    // Unchecked codes are trusted, as documented: the LUT path casts NaN to the code 0, the
    // low-rank path propagates it.
    const nan = tf.tensor2d([[0, NaN]]);
    const cast = appMulMatMul(nan, w, m, { path: 'lut', checkCodes: false });
    expect(Array.from(cast.dataSync())).toEqual([m.product(0, 1) + m.product(0, -8)]);
    cast.dispose();
    const propagated = appMulMatMul(nan, w, m, { path: 'low-rank', checkCodes: false });
    expect(Number.isNaN(propagated.dataSync()[0])).toBe(true);
    tf.dispose([nan, propagated]);
    // Empty operands give empty (or zero) sums.
    const none = tf.zeros([0, 2], 'int32') as tf.Tensor2D;
    const empty = appMulMatMul(none, w, m, { path: 'lut' });
    expect(empty.shape).toEqual([0, 1]);
    tf.dispose([none, empty]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, w]);
  });

  it('chooseAppMulPath names a bad multiplier, K, option or backend', () => {
    const m = truncatedMultiplier({ a: u(4), w: s(4), columns: 2 });
    expectConfigError(() => chooseAppMulPath(undefined as never, 3), 'm');
    expectConfigError(() => chooseAppMulPath(m, NaN), 'K');
    expectConfigError(() => chooseAppMulPath(m, 3, { bogus: 1 } as never), 'options.bogus');
    expectConfigError(() => chooseAppMulPath(m, 3, {}, '' as never), 'backend');
    expect(chooseAppMulPath(m, 3, { path: 'low-rank' }, 'webgl')).toBe('low-rank');
  });

  it('leaks no tensors across repeated forward and backward calls on every path', () => {
    const m = brokenArrayMultiplier({ a: u(4), w: s(4), hbl: 1, vbl: 2 });
    const { a, w } = randomCodes(m, 2, 3, 2, 3);
    const at = tf.tensor2d(a, [2, 3], 'float32');
    const wt = tf.tensor2d(w, [3, 2], 'float32');
    const run = () => {
      for (const path of ['lut', 'low-rank'] as const) {
        tf.dispose(appMulMatMul(at, wt, m, { path }));
        tf.dispose(
          tf.grads((x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(appMulMatMul(x as tf.Tensor2D, y as tf.Tensor2D, m, { path })),
          )([at, wt]),
        );
      }
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([at, wt]);
  });
});
