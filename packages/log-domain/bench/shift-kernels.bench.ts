/**
 * The shift kernels (`LowbitShiftMatMul`, `LowbitShiftConv2D`, cpu JS loops on int32 codes) vs
 * tfjs's float matMul / conv2d on the dequantized float32 values, and vs the composed fallback,
 * on the cpu backend. On wasm the kernels are not registered (no variant there would beat
 * XNNPACK's float matmul with a JS loop; the wasm run measures the fallback vs float only).
 *
 *   npm run bench -w packages/log-domain
 *
 * Writes bench/results/shift-matmul-cpu.json, shift-conv2d-cpu.json (and -wasm when it starts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { benchCpuThenWasm, runBench } from '@lowbit/bench';
import { decodeUnits, shiftConv2d, shiftMatMul } from '../src/index.js';

tf.enableProdMode();

function codes(shape: number[], maxCode: number, seed: number): tf.Tensor {
  return tf.tidy(() =>
    tf.cast(tf.round(tf.randomUniform(shape, -maxCode - 0.49, maxCode + 0.49, 'float32', seed)), 'int32'),
  );
}

async function benchBackend(backend: string): Promise<void> {
  if (!(await tf.setBackend(backend))) return;
  await tf.ready();
  const hasKernel = backend === 'cpu';
  // Dense: 64 x 512 log-coded activations (4-bit) times 512 x 256 fixed-point weights (5-bit)
  const a = codes([64, 512], 7, 1);
  const b = codes([512, 256], 15, 2);
  const af = decodeUnits(a, 'pow2').even;
  const bf = decodeUnits(b, 'int').even;
  const mm = { aKind: 'pow2', bKind: 'int', scale: 2 ** -10 } as const;
  const mmLogLog = { aKind: 'pow2', bKind: 'pow2', scale: 2 ** -10 } as const;
  const matVariants = [
    {
      name: 'float-matMul',
      run: () => tf.tidy(() => tf.mul(tf.matMul(af as tf.Tensor2D, bf as tf.Tensor2D), 2 ** -10).dataSync()),
    },
    {
      name: 'shift-fallback',
      run: () => tf.tidy(() => shiftMatMul(a, b, { ...mm, implementation: 'fallback' }).dataSync()),
    },
  ];
  if (hasKernel) {
    matVariants.push({ name: 'shift-kernel log x int', run: () => tf.tidy(() => shiftMatMul(a, b, mm).dataSync()) });
    matVariants.push({
      name: 'shift-kernel log x log',
      run: () => tf.tidy(() => shiftMatMul(a, b, mmLogLog).dataSync()),
    });
  }
  await runBench(
    {
      name: `shift-matmul-${backend}`,
      baseline: 'float-matMul',
      rounds: 5,
      iterationsPerRound: 2,
      meta: { backend, a: [64, 512], b: [512, 256] },
    },
    matVariants,
  );

  // Conv: batch 8 of 14 x 14 x 16 log codes, 3 x 3 x 16 x 32 filter, 'same'
  const x = codes([8, 14, 14, 16], 7, 3);
  const f = codes([3, 3, 16, 32], 15, 4);
  const xf = decodeUnits(x, 'pow2').even;
  const ff = decodeUnits(f, 'int').even;
  const cv = { xKind: 'pow2', filterKind: 'int', pad: 'same', scale: 2 ** -10 } as const;
  const convVariants = [
    {
      name: 'float-conv2d',
      run: () => tf.tidy(() => tf.mul(tf.conv2d(xf as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same'), 2 ** -10).dataSync()),
    },
    {
      name: 'shift-fallback',
      run: () => tf.tidy(() => shiftConv2d(x, f, { ...cv, implementation: 'fallback' }).dataSync()),
    },
  ];
  if (hasKernel)
    convVariants.push({ name: 'shift-kernel log x int', run: () => tf.tidy(() => shiftConv2d(x, f, cv).dataSync()) });
  await runBench(
    {
      name: `shift-conv2d-${backend}`,
      baseline: 'float-conv2d',
      rounds: 5,
      iterationsPerRound: 2,
      meta: { backend, x: [8, 14, 14, 16], filter: [3, 3, 16, 32] },
    },
    convVariants,
  );
  tf.dispose([a, b, af, bf, x, f, xf, ff]);
}

await benchCpuThenWasm(benchBackend);
