// docs/getting-started.md: install one package, add a quantized layer, train, save, summarize.
// Run it: npx tsx docs/snippets/getting-started.ts   (after `npm run build`)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitUniformQuantizer, quantDense } from '@lowbit/quant-core';
import { fileIO } from '@lowbit/quant-core/node';
import { formatSummary, summary } from '@lowbit/hw-model';

await tf.setBackend('cpu');

// 1. Data: 16 features, 4 classes (which of 4 fixed directions a point leans to). Use your own.
const x = tf.randomNormal([512, 16], 0, 1, 'float32', 1);
const directions = tf.randomNormal([16, 4], 0, 1, 'float32', 2);
const labels = tf.argMax(tf.matMul(x, directions), 1);
const y = tf.oneHot(labels, 4);

// 2. The model: ordinary tfjs layers, with quantDense where you want low precision.
//    4-bit symmetric weights; the second layer also reads its input as 4-bit unsigned codes.
const weights4 = () => new LowbitUniformQuantizer({ bits: 4, symmetric: true });
const model = tfl.sequential({
  layers: [
    quantDense({ inputShape: [16], units: 32, activation: 'relu', kernelQuantizer: weights4() }),
    quantDense({
      units: 4,
      activation: 'softmax',
      kernelQuantizer: weights4(),
      inputQuantizer: new LowbitUniformQuantizer({ bits: 4, symmetric: true, signed: false, range: 'ema' }),
    }),
  ],
});

// 3. Train with model.fit: the quantizers pass gradients straight through to float shadow weights.
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const history = await model.fit(x, y, { epochs: 20, batchSize: 64, verbose: 0 });
export const trainAccuracy = Number(history.history.acc.at(-1));
console.log(`training accuracy after 20 epochs: ${(100 * trainAccuracy).toFixed(1)}%`);

// 4. Save with fileIO (model.json + weights.bin, no tfjs-node needed) and load it back.
export const dir = mkdtempSync(join(tmpdir(), 'lowbit-getting-started-'));
await model.save(fileIO(dir));
const reloaded = await tfl.loadLayersModel(fileIO(dir));
const before = model.predict(x) as tf.Tensor;
const after = reloaded.predict(x) as tf.Tensor;
export const maxDifference = tf.max(tf.abs(tf.sub(before, after))).dataSync()[0];
console.log(`reloaded model, largest output difference: ${maxDifference}`);

// 5. What would it cost in hardware? Bit widths, memory, bit-ops and energy per layer.
export const cost = summary(model, { batchSize: 1 });
console.log(formatSummary(cost));
console.log(`energy vs the same model in float32: ${cost.ratios.vsFloat32.energyPj?.toFixed(3)}x`);

tf.dispose([x, directions, labels, y, before, after]);
reloaded.dispose();
