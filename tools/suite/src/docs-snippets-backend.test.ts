// The training-kernels snippet switches the backend (selectBackend), so it runs in its own file
// (vitest runs each file in its own process).
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

it('training-kernels guide: selectBackend picks wasm here and a conv net trains on it', async () => {
  const m = await import('../../../docs/snippets/training-kernels.js');
  expect(['tensorflow', 'wasm', 'cpu']).toContain(m.choice.backend);
  expect(tf.getBackend()).toBe(m.choice.backend);
  expect(m.losses).toHaveLength(2);
  for (const l of m.losses) expect(Number.isFinite(l) && l > 0).toBe(true);
});
