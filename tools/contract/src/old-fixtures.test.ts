// Models saved by the release before the generic-layer redesign (tools/fixtures/v0, made at
// d3556e8) load through the old class names, registered as aliases, into the generic layers, and
// predict exactly what they predicted when saved.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { layerAliases } from '@lowbit/quant-core';
import { loadModel } from '@lowbit/quant-core/node';
import '@lowbit/log-domain';
import '@lowbit/wage-train';
import '@lowbit/fames-appmul';
import '@lowbit/dqa-activations';
import '@lowbit/wrpn-layers';

const root = resolve(import.meta.dirname, '../../fixtures/v0');
const fixtures = readdirSync(root).sort();

interface Expected {
  layerClasses: string[];
  input: { shape: number[]; values: number[] };
  output: { shape: number[]; values: number[] };
}

const GENERIC = new Set([
  'LowbitQuantDense',
  'LowbitQuantConv2D',
  'LowbitQuantDepthwiseConv2D',
  'LowbitQuantActivation',
]);

describe('old-format fixtures (saved before the redesign)', () => {
  it('there is a fixture for every old layer class name registered as an alias', () => {
    const saved = new Set(
      fixtures.flatMap(
        (f) => (JSON.parse(readFileSync(join(root, f, 'expected.json'), 'utf8')) as Expected).layerClasses,
      ),
    );
    expect(layerAliases().filter((a) => !saved.has(a))).toEqual([]);
  });

  it.each(fixtures)('%s loads into generic layers and predicts identically', async (name) => {
    const expected = JSON.parse(readFileSync(join(root, name, 'expected.json'), 'utf8')) as Expected;
    const model = await loadModel(join(root, name));
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      if (cls.startsWith('Lowbit')) expect(GENERIC.has(cls), `${name}: ${layer.name} is ${cls}`).toBe(true);
    }
    const x = tf.tensor(expected.input.values, expected.input.shape);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual(expected.output.shape);
    expect(Array.from(y.dataSync())).toEqual(Array.from(Float32Array.from(expected.output.values)));
    tf.dispose([x, y]);
    model.dispose();
  });
});
