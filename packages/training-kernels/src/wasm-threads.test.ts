// The threaded wasm build in Node: started by selectBackend({ threads: 2 }) in this test file's own
// process (the wasm backend initialises once per process), checked against the cpu backend.
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend, type BackendChoice } from './select-backend.js';
import { enableWasmThreadsInNode, wasmWorkersStarted, withWasmThreadPool } from './wasm-threads.js';
import { expectClose } from './test-util.js';

let choice: BackendChoice;
beforeAll(async () => {
  choice = await selectBackend({ prefer: 'wasm', threads: 2, log: false });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

function onBoth<T extends tf.Tensor>(f: () => T): { cpu: Float32Array; wasm: Float32Array } {
  tf.setBackend('cpu');
  const cpu = tf.tidy(f).dataSync() as Float32Array;
  tf.setBackend('wasm');
  const wasm = tf.tidy(f).dataSync() as Float32Array;
  return { cpu, wasm };
}

describe('threaded wasm in Node', () => {
  it('starts with 2 XNNPACK threads and says so', () => {
    expect(choice.backend).toBe('wasm');
    expect(choice.threads).toBe(2);
    expect(getThreadsCount()).toBe(2);
    expect(choice.reason).toMatch(
      /^wasm SIMD, multithreaded, 2 threads of \d+ logical cores, with lowbit training kernels/,
    );
    expect(wasmWorkersStarted()).toBeGreaterThanOrEqual(1);
  });

  it('computes a convolution and a matMul as the cpu backend does', async () => {
    const x = () => tf.randomNormal([16, 12, 12, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const w = () => tf.randomNormal([5, 5, 8, 16], 0, 1, 'float32', 4) as tf.Tensor4D;
    const conv = onBoth(() => tf.conv2d(x(), w(), 1, 'valid'));
    expectClose(conv.wasm, conv.cpu, 200);
    const mm = onBoth(() =>
      tf.matMul(tf.randomNormal([64, 300], 0, 1, 'float32', 5), tf.randomNormal([300, 70], 0, 1, 'float32', 6)),
    );
    expectClose(mm.wasm, mm.cpu, 300);
  });

  it('trains: fit steps lower the loss and leak no tensor', async () => {
    await tf.setBackend('wasm');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 8,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 3,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.randomUniform([32, 12, 12, 1], 0, 1, 'float32', 7);
    const ys = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 32 }, (_, i) => i % 3),
        'int32',
      ),
      3,
    );
    const first = (await model.trainOnBatch(xs, ys)) as number;
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = (await model.trainOnBatch(xs, ys)) as number;
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    tf.dispose([xs, ys]);
  });

  it('a second selectBackend keeps the running backend and its threads', async () => {
    const again = await selectBackend({ prefer: 'wasm', threads: 1, log: false });
    expect(again.threads).toBe(2);
    expect(again.reason).toMatch(/^wasm SIMD, multithreaded, 2 threads/);
  });

  it('leaves Worker construction other than the wasm pthreads to Node', async () => {
    expect(enableWasmThreadsInNode()).toBe(true); // idempotent
    const NodeWorker = (
      globalThis as unknown as { Worker: new (code: string, o: object) => import('node:worker_threads').Worker }
    ).Worker;
    const worker = new NodeWorker("require('worker_threads').parentPort.postMessage(6 * 7)", { eval: true });
    const answer = await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(answer).toBe(42);
  });

  it('withWasmThreadPool changes the core count of threaded Emscripten modules only, then restores', async () => {
    const original = WebAssembly.instantiate;
    // (module (import "env" "emscripten_num_logical_cores" (func $c (result i32))) (export "cores" (func $c)))
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 2, 36, 1, 3, 101, 110, 118, 28, 101, 109, 115, 99, 114, 105,
      112, 116, 101, 110, 95, 110, 117, 109, 95, 108, 111, 103, 105, 99, 97, 108, 95, 99, 111, 114, 101, 115, 0, 0, 7,
      9, 1, 5, 99, 111, 114, 101, 115, 0, 0,
    ]);
    const cores = async (imports: WebAssembly.Imports) => {
      const { instance } = (await WebAssembly.instantiate(
        bytes,
        imports,
      )) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
      return (instance.exports.cores as () => number)();
    };
    const plain = { env: { emscripten_num_logical_cores: () => 3 } };
    const threaded = { env: { ...plain.env, __pthread_create_js: () => 0 } };
    const seen = await withWasmThreadPool(5, async () => [await cores(plain), await cores(threaded)]);
    expect(seen.result).toEqual([3, 10]); // tfjs halves the count: 5 threads
    expect(seen.logicalCores).toBe(3);
    expect((await withWasmThreadPool('auto', () => cores(threaded))).result).toBe(6);
    expect(WebAssembly.instantiate).toBe(original);
    await expect(withWasmThreadPool(0, async () => 1)).rejects.toThrow(/threads/);
    await expect(withWasmThreadPool(2, 'go' as never)).rejects.toThrow(/start/);
    expect(availableParallelism()).toBeGreaterThan(0);
  });
});
