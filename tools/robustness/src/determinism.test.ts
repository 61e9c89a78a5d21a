/**
 * Determinism per package: two runs with the same seeds (weights, data, stochastic rounding) of a
 * short training on the cpu backend end with bit-identical weights, and a run with another seed
 * ends elsewhere (the seed is what decides). wage-train has its own test of this
 * (packages/wage-train/src/train.test.ts, "deterministic for a seed (bit-identical weights)");
 * its layers are also trained here with the other cases.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import * as hw from '@lowbit/hw-model';
import * as qc from '@lowbit/quant-core';
import { registerTrainingKernels, restoreStockKernels } from '@lowbit/training-kernels';
import { dataFor, LAYER_CASES, type LayerCase, modelFor } from './layer-cases.js';

const STEPS = 20;
const BATCH = 2;

/** The model's weights after `STEPS` fit steps from `seed`, as raw bytes per weight. */
async function trainedWeights(
  make: (seed: number) => tfl.LayersModel,
  c: LayerCase,
  seed: number,
): Promise<Uint8Array[]> {
  const model = make(seed);
  const { x, y } = dataFor(c, STEPS * BATCH, seed + 7);
  await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false });
  const bytes = model.getWeights().map((w) => new Uint8Array((w.dataSync() as Float32Array).slice().buffer));
  tf.dispose([x, y]);
  model.optimizer.dispose();
  model.dispose();
  return bytes;
}

const sameBytes = (a: Uint8Array[], b: Uint8Array[]) =>
  a.length === b.length && a.every((w, i) => w.length === b[i]!.length && w.every((v, j) => v === b[i]![j]));

function determinismFor(pkg: string, cases: LayerCase[], make = (c: LayerCase) => (seed: number) => modelFor(c, seed)) {
  describe(`${pkg}: seeded training is bit-identical on cpu`, () => {
    it.each(cases.map((c) => [c.layer, c] as const))('%s', async (_, c) => {
      const a = await trainedWeights(make(c), c, 1);
      const b = await trainedWeights(make(c), c, 1);
      const other = await trainedWeights(make(c), c, 2);
      expect(sameBytes(a, b), `${c.layer}: two runs with seed 1`).toBe(true);
      expect(sameBytes(a, other), `${c.layer}: seed 2 differs from seed 1`).toBe(false);
    });
  });
}

const byPkg = (pkg: string) => LAYER_CASES.filter((c) => c.pkg === pkg);

/** Stochastic rounding (seeded) in the input quantizer: the random stream must repeat too. */
const stochasticCase: LayerCase = {
  pkg: 'quant-core',
  layer: 'quantDense (uniform 4b input, stochastic rounding seeded)',
  inputShape: [4],
  kind: 'dense',
  make: (s) =>
    qc.quantDense({
      units: 3,
      kernelQuantizer: 'wrpn',
      inputQuantizer: { className: 'LowbitUniformQuantizer', config: { bits: 4, stochastic: true, seed: s } },
      kernelInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: s }),
    }),
};

determinismFor('quant-core', [...byPkg('quant-core'), stochasticCase]);
determinismFor('log-domain', byPkg('log-domain'));
determinismFor('dqa-activations', byPkg('dqa-activations'));
determinismFor('wrpn-layers', byPkg('wrpn-layers'));
determinismFor('wage-train', byPkg('wage-train'));
determinismFor('fames-appmul', byPkg('fames-appmul'));

describe('training-kernels: seeded training with the replacement gradient kernels is bit-identical on cpu', () => {
  it('quantConv2d and quantDepthwiseConv2d models', async () => {
    registerTrainingKernels({ backends: ['cpu'] });
    try {
      for (const c of byPkg('quant-core').filter((x) => x.kind === 'conv')) {
        const a = await trainedWeights((s) => modelFor(c, s), c, 1);
        const b = await trainedWeights((s) => modelFor(c, s), c, 1);
        expect(sameBytes(a, b), c.layer).toBe(true);
      }
    } finally {
      restoreStockKernels({ backends: ['cpu'] });
    }
  });
});

describe('hw-model: the cost of two identically seeded and trained models is identical', () => {
  it('summary() of both', async () => {
    const c = byPkg('log-domain')[0]!;
    const summaries: hw.ModelSummary[] = [];
    for (let run = 0; run < 2; run++) {
      const model = modelFor(c, 1);
      const { x, y } = dataFor(c, STEPS * BATCH, 8);
      await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false });
      summaries.push(hw.summary(model));
      tf.dispose([x, y]);
      model.dispose();
    }
    // Layer names differ between the two models (tfjs numbers them); everything else is equal.
    const strip = (s: hw.ModelSummary) => ({ ...s, modelName: '', layers: s.layers.map((l) => ({ ...l, name: '' })) });
    expect(strip(summaries[1]!)).toEqual(strip(summaries[0]!));
  });
});
