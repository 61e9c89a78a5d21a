// The wasm kernels against the stock cpu kernels, inside the vitest worker (the wasm backend,
// SIMD single-threaded, initialises here). Expected values come from cpu; ours run on wasm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerTrainingKernels, restoreStockKernels } from './register.js';
import { expectClose } from './test-util.js';
import { simdHelpers } from './kernels/simd-helpers.js';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerTrainingKernels({ backends: ['wasm'] });
  // initialise wasm once, then go back to cpu for the reference values
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
  restoreStockKernels();
});

/** Runs `name` on cpu (stock kernels) and on wasm (ours); returns both results. */
async function cpuAndWasm(
  name: string,
  inputs: Record<string, number[] | Float32Array>,
  shapes: Record<string, number[]>,
  attrs: object,
) {
  const run = () =>
    tf.tidy(() => {
      const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v, shapes[k], 'float32')]));
      return tf.engine().runKernel(name, ts, attrs as never) as tf.Tensor;
    });
  await tf.setBackend('cpu');
  const cpu = run();
  const expected = { values: cpu.dataSync().slice(), shape: cpu.shape };
  cpu.dispose();
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const wasm = run();
  const got = { values: wasm.dataSync().slice(), shape: wasm.shape };
  wasm.dispose();
  expect(tf.memory().numTensors).toBe(before);
  await tf.setBackend('cpu');
  return { expected, got };
}

function random(n: number, seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal([n], 0, 1, 'float32', seed).dataSync() as Float32Array);
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('wasm training kernels match the stock cpu kernels', () => {
  const convCases = [
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { x: [1, 9, 8, 2], filter: [3, 2, 2, 5], strides: 2, pad: 'same' },
    { x: [2, 6, 7, 2], filter: [3, 3, 2, 2], strides: [2, 1], pad: 1 },
    // the SIMD filter-gradient loop: stride 1, valid, <= 4 input channels, 8k output channels
    { x: [2, 9, 8, 1], filter: [3, 3, 1, 8], strides: 1, pad: 'valid' },
    { x: [3, 7, 7, 3], filter: [5, 2, 3, 16], strides: 1, pad: 'valid' },
    { x: [16, 20, 20, 1], filter: [5, 5, 1, 8], strides: 1, pad: 'valid' }, // 4,096-term sums
  ] as const;
  for (const c of convCases) {
    const dyShape = tf.tidy(
      () =>
        tf.conv2d(
          tf.zeros([...c.x]) as tf.Tensor4D,
          tf.zeros([...c.filter]) as tf.Tensor4D,
          c.strides as never,
          c.pad as never,
        ).shape,
    );
    it(`Conv2DBackpropFilter x ${c.x} filter ${c.filter} strides ${c.strides} pad ${c.pad}`, async () => {
      const { expected, got } = await cpuAndWasm(
        tf.Conv2DBackpropFilter,
        { x: random(size([...c.x]), 1), dy: random(size(dyShape), 2) },
        { x: [...c.x], dy: dyShape },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
      );
      expect(got.shape).toEqual(expected.shape);
      expectClose(got.values, expected.values, dyShape[0] * dyShape[1] * dyShape[2]);
    });
    it(`Conv2DBackpropInput x ${c.x} filter ${c.filter} strides ${c.strides} pad ${c.pad}`, async () => {
      const { expected, got } = await cpuAndWasm(
        tf.Conv2DBackpropInput,
        { dy: random(size(dyShape), 3), filter: random(size([...c.filter]), 4) },
        { dy: dyShape, filter: [...c.filter] },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
      );
      expect(got.shape).toEqual(expected.shape);
      expectClose(got.values, expected.values, c.filter[0] * c.filter[1] * c.filter[3]);
    });
  }

  const poolCases = [
    { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
    { x: [1, 7, 7, 2], filterSize: 3, strides: 1, pad: 'same' },
    { x: [2, 9, 6, 1], filterSize: [3, 2], strides: [2, 1], pad: 'same' },
    { x: [2, 8, 10, 8], filterSize: 2, strides: 2, pad: 'valid' }, // the SIMD helper (channels % 4 = 0)
    { x: [1, 7, 9, 4], filterSize: 2, strides: 2, pad: 'valid' }, // SIMD, odd sizes: an unpooled row and column
  ] as const;
  for (const c of poolCases) {
    it(`MaxPoolGrad x ${c.x} window ${c.filterSize} strides ${c.strides} pad ${c.pad}`, async () => {
      // ReLU-like input: many zeros, so ties (first maximum wins) are exercised too
      const xv = random(size([...c.x]), 12).map((v) => Math.max(0, v));
      const yShape = tf.tidy(
        () =>
          tf.maxPool(tf.zeros([...c.x]) as tf.Tensor4D, c.filterSize as never, c.strides as never, c.pad as never)
            .shape,
      );
      const yv = tf.tidy(() =>
        tf
          .maxPool(tf.tensor4d(xv, [...c.x] as never), c.filterSize as never, c.strides as never, c.pad as never)
          .dataSync(),
      );
      const inputs = { dy: random(size(yShape), 13), input: xv, output: yv as Float32Array };
      const shapes = { dy: yShape, input: [...c.x], output: yShape };
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      const { expected, got } = await cpuAndWasm(tf.MaxPoolGrad, inputs, shapes, attrs);
      expect(got.shape).toEqual(expected.shape);
      // the same positions get gradient; overlapping windows may add in another order
      expect(Array.from(got.values, (v) => v !== 0)).toEqual(Array.from(expected.values, (v) => v !== 0));
      expectClose(got.values, expected.values, 9);
    });
  }

  const sumCases: [number[], number[] | number, boolean][] = [
    [[6, 5, 4, 8], [0, 1, 2], false], // the SIMD path: every axis but the last
    [[6, 5, 4, 8], [2, 0, 1], true], // the same axes in another order, kept dims
    [[33, 12], [0], false],
    [[6, 5, 4, 6], [0, 1, 2], false], // last axis not a multiple of 4: stock
    [[6, 5, 4, 8], [1, 2], false], // not every leading axis: stock
    [[6, 8], -1, false], // the last axis: stock
  ];
  for (const [shape, axis, keepDims] of sumCases) {
    it(`Sum ${JSON.stringify(shape)} over ${JSON.stringify(axis)} keepDims ${keepDims}`, async () => {
      const { expected, got } = await cpuAndWasm(
        tf.Sum,
        { x: random(size(shape), 16) },
        { x: shape },
        { axis, keepDims },
      );
      expect(got.shape).toEqual(expected.shape);
      expectClose(got.values, expected.values, size(shape));
    });
  }

  const tileCases: [number[], number[]][] = [
    [
      [1, 1, 1, 8],
      [3, 5, 4, 1],
    ], // the batch-norm gradient's tile: one row repeated
    [
      [1, 1, 7],
      [2, 9, 1],
    ], // an odd row length and repeat count (partial last copy)
    [
      [1, 3],
      [1, 1],
    ], // nothing repeated
    [[5], [1]], // rank 1
    [
      [2, 1, 4],
      [3, 2, 1],
    ], // more than one row: stock
    [
      [1, 1, 4],
      [2, 2, 3],
    ], // the last axis repeated: stock
  ];
  for (const [shape, reps] of tileCases) {
    it(`Tile ${JSON.stringify(shape)} by ${JSON.stringify(reps)}`, async () => {
      const { expected, got } = await cpuAndWasm(tf.Tile, { x: random(size(shape), 17) }, { x: shape }, { reps });
      expect(got.shape).toEqual(expected.shape);
      expect(Array.from(got.values)).toEqual(Array.from(expected.values)); // copies: exact
    });
  }

  it('the SIMD helpers start on the wasm backend (so the tests above ran them)', async () => {
    await tf.setBackend('wasm');
    expect(simdHelpers(tf.backend())).not.toBeNull();
    await tf.setBackend('cpu');
  });

  it('Identity shares the input buffer and the value survives disposing the input', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3]);
    const y = tf.engine().runKernel(tf.Identity, { x }) as tf.Tensor;
    expect(y.dataId).toBe(x.dataId); // no copy
    const before = tf.memory().numTensors;
    x.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    await tf.setBackend('cpu');
  });

  it('DepthwiseConv2dNativeBackpropFilter and Input (multiplier 2, strides 2, same)', async () => {
    const xShape = [2, 7, 6, 3];
    const filterShape = [3, 3, 3, 2];
    const dyShape = [2, 4, 3, 6];
    const attrs = { strides: 2, dilations: 1, pad: 'same' };
    const f = await cpuAndWasm(
      tf.DepthwiseConv2dNativeBackpropFilter,
      { x: random(size(xShape), 5), dy: random(size(dyShape), 6) },
      { x: xShape, dy: dyShape },
      { ...attrs, filterShape },
    );
    expectClose(f.got.values, f.expected.values, 24);
    const i = await cpuAndWasm(
      tf.DepthwiseConv2dNativeBackpropInput,
      { dy: random(size(dyShape), 7), filter: random(size(filterShape), 8) },
      { dy: dyShape, filter: filterShape },
      { ...attrs, inputShape: xShape },
    );
    expectClose(i.got.values, i.expected.values, 18);
  });

  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    it(`BatchMatMul transposeA ${ta} transposeB ${tb}`, async () => {
      const aShape = ta ? [3, 5, 4] : [3, 4, 5];
      const bShape = tb ? [3, 6, 5] : [3, 5, 6];
      const { expected, got } = await cpuAndWasm(
        tf.BatchMatMul,
        { a: random(60, 9), b: random(90, 10) },
        { a: aShape, b: bShape },
        { transposeA: ta, transposeB: tb },
      );
      expect(got.shape).toEqual([3, 4, 6]);
      expectClose(got.values, expected.values, 5);
    });
  }

  it('BatchMatMul a x b with a big b (the SIMD GEMM, 4 x 8 tiles)', async () => {
    const inputs = { a: random(8 * 13, 19), b: random(13 * 64, 20) };
    const attrs = { transposeA: false, transposeB: false };
    const { expected, got } = await cpuAndWasm(tf.BatchMatMul, inputs, { a: [8, 13], b: [13, 64] }, attrs);
    expect(got.shape).toEqual([8, 64]);
    expectClose(got.values, expected.values, 13);
  });

  it('BatchMatMul a x b^T with a big b (computed as (b x a^T)^T)', async () => {
    const { expected, got } = await cpuAndWasm(
      tf.BatchMatMul,
      { a: random(20, 14), b: random(150, 15) },
      { a: [4, 5], b: [30, 5] },
      { transposeA: false, transposeB: true },
    );
    expect(got.shape).toEqual([4, 30]);
    expectClose(got.values, expected.values, 5);
  });

  it('trains a conv net on wasm without leaking tensors', async () => {
    await tf.setBackend('wasm');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
        tfl.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 11);
    const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2), 'float32'));
    await model.trainOnBatch(x, y);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const loss = (await model.trainOnBatch(x, y)) as number;
      expect(Number.isFinite(loss)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([x, y]);
    model.dispose();
    await tf.setBackend('cpu');
  });
});
