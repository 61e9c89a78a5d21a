// The LUT kernels on the wasm backend, inside the vitest worker (wasm SIMD, single-threaded,
// initialises here), against the scalar reference.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowbitDataError } from '@lowbit/quant-core';
import { drumMultiplier } from '../families/drum.js';
import { appMulMatMul, chooseAppMulPath } from '../simulate/appmul-matmul.js';
import { truncatedMultiplier } from '../families/truncated.js';
import { CODE_FACTORS } from './code-factors.js';
import { appMulMatMulReference } from '../simulate/reference.js';
import { extractPatches } from '../simulate/patches.js';
import { appMulConv2dCodes } from '../simulate/appmul-conv2d.js';
import { APPMUL_CONV2D } from './appmul-conv2d.js';
import { APPMUL_MATMUL } from './appmul-matmul.js';
import { EXTRACT_PATCHES } from '@lowbit/training-kernels';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('LowbitAppMulMatMul on wasm', () => {
  const m = drumMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, k: 2 });
  const [B, K, N] = [5, 7, 3];
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const aCodes = Int32Array.from({ length: B * K }, () => Math.floor(rand() * 16));
  const wCodes = Int32Array.from({ length: K * N }, () => Math.floor(rand() * 16) - 8);

  it('is registered for wasm and equals the scalar reference bit for bit', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel(APPMUL_MATMUL, 'wasm')).toBeDefined();
    const a = tf.tensor2d(aCodes, [B, K], 'int32');
    const w = tf.tensor2d(wCodes, [K, N], 'int32');
    const before = tf.memory().numTensors;
    const y = appMulMatMul(a, w, m, { path: 'lut' });
    expect(Array.from(y.dataSync())).toEqual(Array.from(appMulMatMulReference(aCodes, wCodes, [B, K, N], m)));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, w]);
  });

  it('rejects a code outside its range', () => {
    const a = tf.tensor2d([[16]], [1, 1], 'int32');
    const w = tf.tensor2d([[1]], [1, 1], 'int32');
    expect(() => appMulMatMul(a, w, m, { path: 'lut', checkCodes: false })).toThrow(LowbitDataError);
    tf.dispose([a, w]);
  });
});

describe('LowbitAppMulConv2d on wasm', () => {
  it('is registered for wasm and equals the patches route bit for bit, no leaks', () => {
    expect(tf.getKernel(APPMUL_CONV2D, 'wasm')).toBeDefined();
    const m8 = drumMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: true }, k: 4 });
    let r = 5;
    const next = () => (r = (Math.imul(r, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const x = tf.tensor4d(
      Int32Array.from({ length: 2 * 7 * 6 * 3 }, () => Math.floor(next() * 256)),
      [2, 7, 6, 3],
      'int32',
    );
    const w = tf.tensor4d(
      Int32Array.from({ length: 3 * 3 * 3 * 5 }, () => Math.floor(next() * 256) - 128),
      [3, 3, 3, 5],
      'int32',
    );
    const before = tf.memory().numTensors;
    for (const g of [
      { padding: 'same' as const },
      { strides: 2, padding: 'valid' as const, dilations: [1, 2] as [number, number] },
    ]) {
      const direct = appMulConv2dCodes(x, w, m8, { ...g, path: 'lut' });
      const patches = appMulConv2dCodes(x, w, m8, { ...g, path: 'lut', patches: 'kernel' });
      expect(Array.from(direct.dataSync())).toEqual(Array.from(patches.dataSync()));
      tf.dispose([direct, patches]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});

describe('the low-rank path on wasm (auto for product tables of rank <= 8)', () => {
  it('LowbitCodeFactors is registered; matmul and conv equal the LUT bit for bit; no leaks', () => {
    expect(tf.getKernel(CODE_FACTORS, 'wasm')).toBeDefined();
    const ops = { a: { bits: 8, signed: false }, w: { bits: 8, signed: true } };
    let r = 9;
    const next = () => (r = (Math.imul(r, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const codes = (n: number, lo: number) => Int32Array.from({ length: n }, () => lo + Math.floor(next() * 256));
    const x = tf.tensor4d(codes(2 * 7 * 6 * 3, 0), [2, 7, 6, 3], 'int32');
    const w = tf.tensor4d(codes(3 * 3 * 3 * 5, -128), [3, 3, 3, 5], 'int32');
    const a = tf.tensor2d(codes(4 * 27, 0), [4, 27], 'int32');
    const w2 = tf.reshape(w, [27, 5]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (const m of [drumMultiplier({ ...ops, k: 4 }), truncatedMultiplier({ ...ops, columns: 6 })]) {
      expect(chooseAppMulPath(m, 27)).toBe('low-rank');
      for (const g of [{ padding: 'same' as const }, { strides: 2, padding: 'valid' as const }]) {
        const auto = appMulConv2dCodes(x, w, m, g);
        const lut = appMulConv2dCodes(x, w, m, { ...g, path: 'lut' });
        expect(Array.from(auto.dataSync()), m.name).toEqual(Array.from(lut.dataSync()));
        tf.dispose([auto, lut]);
      }
      const auto = appMulMatMul(a, w2, m);
      expect(Array.from(auto.dataSync())).toEqual(
        Array.from(appMulMatMulReference(a.dataSync(), w2.dataSync(), [4, 27, 5], m)),
      );
      auto.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    // A code out of range on the unchecked path: a typed error, and the output memory released.
    const bad = tf.tensor2d([[300]], [1, 1], 'int32');
    const one = tf.tensor2d([[1]], [1, 1], 'int32');
    const ids = tf.engine().backend.numDataIds();
    const drum = drumMultiplier({ ...ops, k: 4 });
    expect(() => appMulMatMul(bad, one, drum, { checkCodes: false })).toThrow(/code 300 at index 0/);
    expect(tf.engine().backend.numDataIds()).toBe(ids);
    tf.dispose([bad, one]);
    tf.dispose([x, w, a, w2]);
  });
});

describe('LowbitExtractPatches on wasm', () => {
  it('is registered and equals the composed patches, values and gradient', () => {
    expect(tf.getKernel(EXTRACT_PATCHES, 'wasm')).toBeDefined();
    const x = tf.randomUniform([2, 6, 5, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
    const weights = tf.randomUniform([2, 3, 3, 27], -1, 1, 'float32', 12);
    const before = tf.memory().numTensors;
    const [pk, pc] = (['kernel', 'composed'] as const).map((path) =>
      extractPatches(x, 3, 3, { strides: 2, padding: 'same', path }),
    );
    expect(Array.from(pk.dataSync())).toEqual(Array.from(pc.dataSync()));
    const [gk, gc] = (['kernel', 'composed'] as const).map((path) =>
      tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(extractPatches(v as tf.Tensor4D, 3, 3, { strides: 2, padding: 'same', path }), weights)),
      )(x),
    );
    const gcv = gc.dataSync();
    Array.from(gk.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(gcv[i], 5));
    tf.dispose([pk, pc, gk, gc]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, weights]);
  });
});
