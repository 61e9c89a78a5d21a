/**
 * Fused `LowbitFakeQuantAffine` kernel vs the composed fallback (div, round, add, clip, sub, mul)
 * on a 1M-element float32 tensor, per backend (cpu; wasm when it initialises).
 *
 *   npm run bench -w packages/quant-core
 *
 * Writes bench/results/fake-quant-cpu.json and fake-quant-wasm.json at the repository root.
 * On wasm the kernel is registered here only, for the measurement: the package does not register
 * it there, because composed ops win on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers tfjs gradients
import { benchCpuThenWasm, runBench } from '@lowbit/bench';
import {
  fakeQuantAffine,
  fakeQuantAffineComposed,
  fakeQuantAffineLoop,
  hasFusedFakeQuantAffine,
} from '../src/index.js';
import { LowbitFakeQuantAffine, type FakeQuantAffineAttrs } from '../src/internal.js';

const SIZE = 1 << 20;
const params = { scale: 0.05, zeroPoint: 3, qmin: -128, qmax: 127 };

interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
}

/** A JS-loop kernel for wasm: measured here, not shipped. */
function registerWasmLoopKernel(): void {
  if (tf.getKernel(LowbitFakeQuantAffine, 'wasm')) return;
  tf.registerKernel({
    kernelName: LowbitFakeQuantAffine,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: { inputs: { x: tf.TensorInfo }; backend: WasmBackendLike; attrs: FakeQuantAffineAttrs }) => {
      const x = inputs.x;
      const out = new Float32Array(x.shape.reduce((a, b) => a * b, 1));
      fakeQuantAffineLoop(backend.typedArrayFromHeap(x), out, x.shape, attrs);
      return backend.makeOutput(x.shape, 'float32', undefined, out);
    }) as unknown as tf.KernelFunc,
  });
}

async function benchBackend(backend: string): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
  const x = tf.randomNormal([SIZE], 0, 3, 'float32', 1);
  // Same values on both paths, or the timing means nothing.
  const same = tf.tidy(() => tf.all(tf.equal(fakeQuantAffine(x, params), fakeQuantAffineComposed(x, params))).dataSync()[0]);
  if (!hasFusedFakeQuantAffine() || same !== 1) throw new Error(`fused kernel missing or not bit-exact on ${backend}`);
  const result = await runBench(
    { name: `fake-quant-${backend}`, baseline: 'composed', warmup: 2, rounds: 9, meta: { backend, elements: SIZE, params } },
    [
      // The closures return nothing: tf.tidy walks a returned typed array key by key (1M keys),
      // which would cost more than the op itself.
      { name: 'composed', run: () => tf.tidy(() => { fakeQuantAffineComposed(x, params).dataSync(); }) },
      { name: 'fused', run: () => tf.tidy(() => { fakeQuantAffine(x, params).dataSync(); }) },
    ],
  );
  const fused = result.variants.find((v) => v.name === 'fused')!;
  const composed = result.variants.find((v) => v.name === 'composed')!;
  console.log(
    `${backend}: composed ${(SIZE / composed.medianMs / 1e3).toFixed(1)} M elements/s, fused ${(SIZE / fused.medianMs / 1e3).toFixed(1)} M elements/s, fused/composed speed ${fused.speedupVsBaseline.toFixed(2)}x`,
  );
  x.dispose();
}

tf.enableProdMode();
await benchCpuThenWasm(benchBackend, registerWasmLoopKernel);
