// The composed net end to end on a small Fashion-MNIST subset (cpu backend): training lowers the
// loss, FAMES installs an approximate multiplier in fc1, DQA layers are inserted, the model saves
// and reloads with identical predictions, the integer export reproduces every quantized layer,
// and hw-model costs each technique's part.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist, oneHotLabels } from '@lowbit/datasets';
import { summary } from '@lowbit/hw-model';
import { loadModel, saveModel } from '@lowbit/quant-core/node';
import { applyComposedDqa, composedNet, describeParts, integerExportCheck, selectFc1Multiplier } from './composed.js';

describe('composed net: WRPN + log-domain + FAMES + DQA', () => {
  it('trains, selects a multiplier, applies DQA, round-trips, exports integers and is costed', async () => {
    const train = await loadFashionMnist({ split: 'train', limit: 128 });
    const model = composedNet({ conv1: 4, conv2: 8, fc: 16, seed: 3 });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
    const y = oneHotLabels(train.labels);
    const h = await model.fit(train.images, y, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
    const losses = h.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);

    const parts = describeParts(model);
    expect(parts.find((p) => p.layer === 'conv2')!.parts).toContain('inputQuantizer: LogQuantizer');
    expect(parts.find((p) => p.layer === 'fc1')!.parts).toContain('arithmetic: AppMulArithmetic');
    expect(parts.find((p) => p.layer === 'conv1')!.parts).toContain('kernelQuantizer: WrpnQuantizer');

    const calibX = tf.slice(train.images, 0, 32);
    const calibLabels = tf.slice(train.labels, 0, 32);
    const calibY = oneHotLabels(calibLabels as tf.Tensor1D);
    const fames = selectFc1Multiplier(model, calibX, calibY, { budget: 0.05 });
    expect(fames.candidates).toBeGreaterThan(1);
    expect(describeParts(model).find((p) => p.layer === 'fc1')!.parts).toContain(fames.multiplier);

    // Error-energy ranking keeps the test fast; main.ts and the suite rank by leave-one-out.
    const final = await applyComposedDqa(model, calibX, calibLabels, 'error-energy');
    expect(
      final.layers.some(
        (l) =>
          (l.getConfig() as { outputQuantizer?: { className?: string } }).outputQuantizer?.className ===
          'LowbitDqaQuantizer',
      ),
    ).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'lowbit-composed-test-'));
    await saveModel(final, dir);
    const reloaded = await loadModel(dir);
    const probe = tf.slice(train.images, 0, 32);
    expect(Array.from((reloaded.predict(probe) as tf.Tensor).dataSync())).toEqual(
      Array.from((final.predict(probe) as tf.Tensor).dataSync()),
    );
    rmSync(dir, { recursive: true, force: true });

    const rows = integerExportCheck(reloaded, probe);
    expect(rows.map((r) => r.layer).sort()).toEqual(['conv1', 'conv2', 'fc1', 'logits']);
    for (const r of rows) expect(r.maxRelativeDiff, r.layer).toBeLessThan(1e-5);

    const cost = summary(reloaded, { batchSize: 1 });
    const fc1 = cost.layers.find((l) => l.name === 'fc1')!;
    const conv2 = cost.layers.find((l) => l.name === 'conv2')!;
    expect(fc1.arithmetic?.multiply).toBe('approximate');
    expect(conv2.input?.kind).toBe('pow2');
    expect(cost.ratios.vsFloat32.energyPj!).toBeLessThan(1);
    tf.dispose([train.images, train.labels, y, calibX, calibLabels, calibY, probe]);
  });
});
