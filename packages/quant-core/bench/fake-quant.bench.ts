/**
 * Fused `LowbitFakeQuantAffine` kernel vs the composed fallback (div, round, add, clip, sub, mul)
 * on a 1M-element float32 tensor, per backend (cpu; wasm when it initialises).
 *
 *   npm run bench -w packages/quant-core
 *
 * Writes bench/results/fake-quant-{cpu,wasm}.json (asymmetric 8-bit grid) and
 * fake-quant-{cpu,wasm}-symmetric.json (WRPN's 4-bit weight grid) at the repository root.
 * Both backends run the shared JS loop (on wasm over the wasm heap, no copies).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers tfjs gradients
import { benchCpuThenWasm, runBench } from '@lowbit/bench';
import { fakeQuantAffine, fakeQuantAffineComposed, hasFusedFakeQuantAffine } from '../src/index.js';
import { LowbitFakeQuantAffine } from '../src/internal.js';
import { fakeQuantAffineWasmConfig } from '../src/kernels/fake-quant-affine-wasm.js';

const SIZE = 1 << 20;
// an asymmetric 8-bit grid, and WRPN's symmetric 4-bit weight grid (round(7 w) / 7, zero point 0)
const PARAMS = {
  '': { scale: 0.05, zeroPoint: 3, qmin: -128, qmax: 127 },
  '-symmetric': { inverseScale: 7, qmin: -7, qmax: 7 },
};

/** The wasm kernel, registered here for the measurement whether or not the package ships it. */
function registerWasmLoopKernel(): void {
  if (!tf.getKernel(LowbitFakeQuantAffine, 'wasm')) tf.registerKernel(fakeQuantAffineWasmConfig);
}

async function benchBackend(backend: string): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
  for (const [suffix, params] of Object.entries(PARAMS)) await benchParams(backend, suffix, params);
}

async function benchParams(
  backend: string,
  suffix: string,
  params: (typeof PARAMS)[keyof typeof PARAMS],
): Promise<void> {
  const x = tf.randomNormal([SIZE], 0, 3, 'float32', 1);
  // Same values on both paths, or the timing means nothing.
  const same = tf.tidy(
    () => tf.all(tf.equal(fakeQuantAffine(x, params), fakeQuantAffineComposed(x, params))).dataSync()[0],
  );
  if (!hasFusedFakeQuantAffine() || same !== 1) throw new Error(`fused kernel missing or not bit-exact on ${backend}`);
  const result = await runBench(
    {
      name: `fake-quant-${backend}${suffix}`,
      baseline: 'composed',
      warmup: 2,
      rounds: 9,
      meta: { backend, elements: SIZE, params },
    },
    [
      // The closures return nothing: tf.tidy walks a returned typed array key by key (1M keys),
      // which would cost more than the op itself.
      {
        name: 'composed',
        run: () =>
          tf.tidy(() => {
            fakeQuantAffineComposed(x, params).dataSync();
          }),
      },
      {
        name: 'fused',
        run: () =>
          tf.tidy(() => {
            fakeQuantAffine(x, params).dataSync();
          }),
      },
    ],
  );
  const fused = result.variants.find((v) => v.name === 'fused')!;
  const composed = result.variants.find((v) => v.name === 'composed')!;
  console.log(
    `${backend}${suffix}: composed ${(SIZE / composed.medianMs / 1e3).toFixed(1)} M elements/s, ` +
      `fused ${(SIZE / fused.medianMs / 1e3).toFixed(1)} M elements/s, ` +
      `fused/composed speed ${fused.speedupVsBaseline.toFixed(2)}x`,
  );
  x.dispose();
}

tf.enableProdMode();
await benchCpuThenWasm(benchBackend, registerWasmLoopKernel);
