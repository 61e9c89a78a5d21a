/**
 * `@lowbit/quant-core/testing`: test helpers other lowbit packages share (Node only).
 *
 * `reloadV0Fixture` runs the old-format check every technique package makes for its old layer
 * class names: load a model saved by the release before the generic layers
 * (tools/fixtures/v0/<name>), predict on its stored input, re-save it and reload it.
 *
 * ```ts
 * const r = await reloadV0Fixture(fixturesRoot, 'LowbitLogDense', workDir);
 * expect(r.prediction).toEqual(r.expected);
 * expect(r.resavedClassNames[0]).toBe('LowbitQuantDense');
 * r.model.dispose();
 * ```
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fileIO, loadModel } from './io/file-io.js';

export interface V0FixtureReload {
  /** The loaded model (the caller disposes it). */
  model: tfl.LayersModel;
  outputShape: number[];
  /** The output shape the previous release saved. */
  expectedShape: number[];
  /** What the previous release predicted, as float32 values. */
  expected: number[];
  /** What the loaded model predicts on the stored input. */
  prediction: number[];
  /** Layer class names in the re-saved model.json. */
  resavedClassNames: string[];
  /** What the re-saved and reloaded model predicts. */
  resavedPrediction: number[];
}

interface Expected {
  input: { shape: number[]; values: number[] };
  output: { shape: number[]; values: number[] };
}

export async function reloadV0Fixture(fixturesRoot: string, name: string, workDir: string): Promise<V0FixtureReload> {
  const dir = join(fixturesRoot, name);
  const stored = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const model = await loadModel(dir);
  const x = tf.tensor(stored.input.values, stored.input.shape);
  const y = model.predict(x) as tf.Tensor;
  const again = join(workDir, name);
  await model.save(fileIO(again));
  const saved = JSON.parse(readFileSync(join(again, 'model.json'), 'utf8'));
  const reloaded = await loadModel(again);
  const z = reloaded.predict(x) as tf.Tensor;
  const result: V0FixtureReload = {
    model,
    outputShape: y.shape,
    expectedShape: stored.output.shape,
    expected: Array.from(Float32Array.from(stored.output.values)),
    prediction: Array.from(y.dataSync()),
    resavedClassNames: (saved.modelTopology.config.layers as { class_name: string }[]).map((l) => l.class_name),
    resavedPrediction: Array.from(z.dataSync()),
  };
  tf.dispose([x, y, z]);
  reloaded.dispose();
  return result;
}
