/**
 * Builds a LeNet-like model (32C5-MP2-64C5-MP2-512-10 on 28x28x1) with a different precision per
 * layer, using lowbit's quantized layers and WRPN quantizers, and prints its hardware cost.
 *
 *   npm run summary -w packages/hw-model                      (= tsx scripts/lenet-summary.ts)
 *   npm run summary -w packages/hw-model -- --batch 64
 *   npm run summary -w packages/hw-model -- --markdown        (or --json)
 *   npm run summary -w packages/hw-model -- --larq            (printSummary's Larq-style table)
 *
 * The summary reads shapes and precisions only: the model is never run.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitWrpnQuantizer, quantConv2d, quantDense } from '@lowbit/quant-core';
import { formatSummary, printSummary, summary, summaryToJSON, summaryToMarkdown } from '../src/index.js';

const weights = (bits: number) => new LowbitWrpnQuantizer({ bits, mode: 'weight' });
const activations = (bits: number) => new LowbitWrpnQuantizer({ bits, mode: 'activation' });

const args = process.argv.slice(2);
const batchAt = args.indexOf('--batch');
const batchSize = batchAt >= 0 ? Number(args[batchAt + 1]) : 1;

tf.enableProdMode();
await tf.setBackend('cpu');

const model = tfl.sequential({
  name: 'lenet_mixed',
  layers: [
    // First layer at 8 bits (WRPN keeps the first and last layers at higher precision).
    quantConv2d({
      name: 'conv1',
      inputShape: [28, 28, 1],
      filters: 32,
      kernelSize: 5,
      activation: 'relu',
      kernelQuantizer: weights(8),
      inputQuantizer: activations(8),
    }),
    tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
    // 2-bit WRPN weights are ternary {-1, 0, 1}; 4-bit activations.
    quantConv2d({
      name: 'conv2',
      filters: 64,
      kernelSize: 5,
      activation: 'relu',
      kernelQuantizer: weights(2),
      inputQuantizer: activations(4),
    }),
    tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
    tfl.layers.flatten({ name: 'flatten' }),
    // 1-bit weights (+-1 times a scale): the multiply is a conditional negate.
    quantDense({
      name: 'fc1',
      units: 512,
      activation: 'relu',
      kernelQuantizer: weights(1),
      inputQuantizer: activations(4),
    }),
    tfl.layers.dropout({ name: 'dropout', rate: 0.5 }),
    // Last layer at 8 bits.
    quantDense({
      name: 'fc2',
      units: 10,
      activation: 'softmax',
      kernelQuantizer: weights(8),
      inputQuantizer: activations(8),
    }),
  ],
});

if (args.includes('--larq')) {
  printSummary(model, { batchSize });
  process.exit(0);
}
const s = summary(model, { batchSize });
if (args.includes('--json')) console.log(summaryToJSON(s));
else if (args.includes('--markdown')) console.log(summaryToMarkdown(s));
else console.log(formatSummary(s));
