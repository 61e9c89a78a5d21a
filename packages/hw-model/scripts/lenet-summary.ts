/**
 * Builds a LeNet-like model (32C5-MP2-64C5-MP2-512-10 on 28x28x1) with a different precision per
 * layer and prints its hardware cost summary.
 *
 *   npm run summary -w packages/hw-model            (= tsx scripts/lenet-summary.ts)
 *   npm run summary -w packages/hw-model -- --markdown
 *   npm run summary -w packages/hw-model -- --json
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Quantizer, quantConv2d, quantDense, type OperandPrecision, type QuantizedTensor } from '@lowbit/quant-core';
import { formatSummary, summary, summaryToJSON, summaryToMarkdown } from '../src/index.js';

/**
 * Declares a precision for costing only: the summary reads `precision()` and never runs the model,
 * so this stand-in does not quantize (identity). Replace it with a real quantizer to train.
 */
class LowbitCostOnlyQuantizer extends Quantizer {
  static className = 'LowbitCostOnlyQuantizer';
  constructor(private readonly p: OperandPrecision) {
    super();
  }
  call(x: tf.Tensor): tf.Tensor {
    return tf.clone(x);
  }
  precision(): OperandPrecision {
    return { ...this.p };
  }
  quantize(): QuantizedTensor {
    throw new Error('cost-only quantizer');
  }
  getConfig() {
    return { ...this.p };
  }
}

const q = (kind: OperandPrecision['kind'], bits: number, signed = true) => new LowbitCostOnlyQuantizer({ kind, bits, signed });

tf.enableProdMode();
await tf.setBackend('cpu');

const model = tfl.sequential({
  name: 'lenet_mixed',
  layers: [
    // First layer at 8 bits (the usual first/last-layer policy).
    quantConv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 32, kernelSize: 5, activation: 'relu', kernelQuantizer: q('int', 8), inputQuantizer: q('int', 8, false) }),
    tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
    // Ternary weights, 4-bit activations.
    quantConv2d({ name: 'conv2', filters: 64, kernelSize: 5, activation: 'relu', kernelQuantizer: q('ternary', 2), inputQuantizer: q('int', 4, false) }),
    tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
    tfl.layers.flatten({ name: 'flatten' }),
    // Power-of-two weights (a shift per product), 4-bit activations.
    quantDense({ name: 'fc1', units: 512, activation: 'relu', kernelQuantizer: q('pow2', 4), inputQuantizer: q('int', 4, false) }),
    tfl.layers.dropout({ name: 'dropout', rate: 0.5 }),
    // Last layer at 8 bits.
    quantDense({ name: 'fc2', units: 10, activation: 'softmax', kernelQuantizer: q('int', 8), inputQuantizer: q('int', 8, false) }),
  ],
});

const s = summary(model, { batchSize: 1 });
const args = process.argv.slice(2);
if (args.includes('--json')) console.log(summaryToJSON(s));
else if (args.includes('--markdown')) console.log(summaryToMarkdown(s));
else console.log(formatSummary(s));
