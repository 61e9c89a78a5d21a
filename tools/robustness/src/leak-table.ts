/**
 * The leak table: for every layer factory of the ported packages, a tiny model takes 1,000 fit
 * steps (one `model.fit` over 1,000 batches of 2) and 1,000 predicts; `tf.memory().numTensors`
 * must be the same before and after (measured after one warm-up step, which creates the
 * optimizer's and the quantizers' state). After the model and its optimizer are disposed the
 * count is back to where the case started.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dataFor, type LayerCase, modelFor } from './layer-cases.js';

const STEPS = 1000;
const BATCH = 2;
const PREDICTS = 1000;

interface LeakRow {
  package: string;
  layer: string;
  'fit steps': number;
  predicts: number;
  'tensors before': number;
  'tensors after': number;
  'left after dispose': number;
  'fit ms': number;
  'predict ms': number;
}

export function leakTable(title: string, cases: LayerCase[]): void {
  const rows: LeakRow[] = [];
  describe(`leak table${title}: ${STEPS} fit steps and ${PREDICTS} predicts per layer factory`, () => {
    it.each(cases.map((c) => [c.layer, c] as const))('%s', async (_, c) => {
      const atStart = tf.memory().numTensors;
      const model = modelFor(c, 1);
      const { x, y } = dataFor(c, STEPS * BATCH, 7);
      const one = tf.slice(x, 0, 1);
      const warmX = tf.slice(x, 0, BATCH);
      const warmY = tf.slice(y, 0, BATCH);
      await model.fit(warmX, warmY, { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false });
      tf.dispose(model.predict(one) as tf.Tensor);
      const before = tf.memory().numTensors;

      const t0 = performance.now();
      const fit = { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false, yieldEvery: 'never' } as const;
      const history = await model.fit(x, y, fit);
      const t1 = performance.now();
      for (let i = 0; i < PREDICTS; i++) tf.dispose(model.predict(one) as tf.Tensor);
      const t2 = performance.now();
      const after = tf.memory().numTensors;

      const loss = history.history.loss![0] as number;
      tf.dispose([x, y, one, warmX, warmY]);
      model.optimizer.dispose();
      model.dispose();
      const left = tf.memory().numTensors - atStart;
      rows.push({
        package: c.pkg,
        layer: c.layer,
        'fit steps': STEPS,
        predicts: PREDICTS,
        'tensors before': before,
        'tensors after': after,
        'left after dispose': left,
        'fit ms': Math.round(t1 - t0),
        'predict ms': Math.round(t2 - t1),
      });
      expect(Number.isFinite(loss), `${c.layer}: finite loss`).toBe(true);
      expect(after, `${c.layer}: tensors after ${STEPS} fit steps and ${PREDICTS} predicts`).toBe(before);
      expect(left, `${c.layer}: tensors left after disposing the model and the data`).toBe(0);
    });

    it('prints the table', () => {
      console.log(`leak table${title} (cpu backend)`);
      console.table(rows);
      expect(rows.length).toBe(cases.length);
    });
  });
}
