// The wasm LowbitFakeQuantAffine kernel (4-6 of the backend's kernels) against the composed
// fallback on wasm, and the branch-free cpu loop against the composed ops on cpu, at the awkward
// values (ties, huge, infinite, NaN, +-0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fakeQuantAffine, fakeQuantAffineComposed, type FakeQuantAffineParams } from '../ops/fake-quant-affine.js';
import { LowbitFakeQuantAffine } from './fake-quant-affine-kernel.js';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

// ties at every half step, both signs, zero, values far outside the range, infinities, NaN
const awkward = [
  -0,
  0,
  0.5,
  -0.5,
  1.5,
  -1.5,
  2.5,
  -2.5,
  0.25,
  3.75,
  1e9,
  -1e9,
  Infinity,
  -Infinity,
  NaN,
  6.5,
  7.5,
  -7.5,
  0.0714285746,
];
const cases: [string, FakeQuantAffineParams, number[]][] = [
  ['per tensor, zero point 3', { scale: 0.5, zeroPoint: 3, qmin: -8, qmax: 7 }, [awkward.length]],
  ['WRPN weight grid (inverse scale 7, zero point 0)', { inverseScale: 7, qmin: -7, qmax: 7 }, [awkward.length]],
  [
    'per channel on the last axis',
    { scale: [0.5, 0.25], zeroPoint: [0, 1], qmin: 0, qmax: 15, axis: 1 },
    [awkward.length / 1, 1],
  ],
];

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('LowbitFakeQuantAffine on wasm', () => {
  it('is registered for wasm', () => {
    expect(tf.getKernel(LowbitFakeQuantAffine, 'wasm')).toBeDefined();
  });

  for (const [name, params] of cases) {
    it(`equals the composed ops and the cpu loop: ${name}`, async () => {
      const data = name.startsWith('per channel') ? [...awkward, 0.75] : awkward;
      const shape = name.startsWith('per channel') ? [data.length / 2, 2] : [data.length];
      await tf.setBackend('wasm');
      const x = tf.tensor(data, shape);
      const before = tf.memory().numTensors;
      const fused = fakeQuantAffine(x, params);
      const composed = fakeQuantAffineComposed(x, params);
      const got = values(fused);
      const want = values(composed);
      tf.dispose([fused, composed]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      await tf.setBackend('cpu');
      const xc = tf.tensor(data, shape);
      const cpu = values(fakeQuantAffine(xc, params));
      const cpuComposed = values(fakeQuantAffineComposed(xc, params));
      // value-equal (a -0 may stand where the composed ops give +0); NaN stays NaN
      const same = (a: number[], b: number[]) => a.map((v, i) => (Number.isNaN(v) ? Number.isNaN(b[i]) : v === b[i]));
      expect(same(got, want).every(Boolean)).toBe(true);
      expect(same(cpu, cpuComposed).every(Boolean)).toBe(true);
      // the backends agree but on NaN: the wasm clip sends it to qmin, cpu keeps it (tfjs' kernels)
      expect(same(cpu, want).filter((ok, i) => !ok && !Number.isNaN(data[i]))).toEqual([]);
    });
  }

  it('gives the masked straight-through gradient on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([-3, -0.9, 0, 0.4, 1.2]);
    const params = { inverseScale: 1, qmin: -1, qmax: 1 };
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fakeQuantAffine(t, params), tf.tensor([1, 2, 3, 4, 5]))))(x);
    expect(values(g)).toEqual([0, 2, 3, 4, 0]);
    tf.dispose([x, g]);
  });
});
