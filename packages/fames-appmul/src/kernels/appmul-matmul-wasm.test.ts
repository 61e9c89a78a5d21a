// The LUT kernel on the wasm backend, inside the vitest worker (wasm SIMD, single-threaded,
// initialises here), against the scalar reference.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowbitDataError } from '@lowbit/quant-core';
import { drumMultiplier } from '../families/drum.js';
import { appMulMatMul } from '../simulate/appmul-matmul.js';
import { appMulMatMulReference } from '../simulate/reference.js';
import { APPMUL_MATMUL } from './appmul-matmul.js';

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
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
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
