/**
 * The networks of the WAGE MNIST example and their hardware cost: the paper's LeNet with WAGE
 * layers (seeded initial weights), the same LeNet in float32, and the hw-model summary of the
 * WAGE LeNet's inference against float32 and int8.
 *
 *   npm run cost -w examples/wage     # writes docs/results/wage-cost.md from wageCostMarkdown()
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { summary, summaryToMarkdown } from '@lowbit/hw-model';
import { wageActivation, wageConv2d, wageDense, wageErrorQuantizer } from '@lowbit/wage-train';

export interface Bits {
  W: number;
  A: number;
  G: number;
  E: number;
}

/** The paper's MNIST LeNet with WAGE layers (seeded initial weights). */
export function wageLenet(bits: Bits, seed: number): tfl.Sequential {
  return tfl.sequential({
    name: `wage_lenet_${bits.W}_${bits.A}_${bits.G}_${bits.E}`,
    layers: [
      wageActivation({ inputShape: [28, 28, 1], relu: false, errorBits: null, outputBits: bits.A, name: 'input_qa' }),
      wageConv2d({ filters: 32, kernelSize: 5, weightBits: bits.W, inputBits: bits.A, seed: seed, name: 'conv1' }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E, name: 'act1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      wageConv2d({ filters: 64, kernelSize: 5, weightBits: bits.W, inputBits: bits.A, seed: seed + 1, name: 'conv2' }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E, name: 'act2' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      wageDense({ units: 512, weightBits: bits.W, inputBits: bits.A, seed: seed + 2, name: 'fc1' }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E, name: 'act3' }),
      wageDense({ units: 10, weightBits: bits.W, inputBits: bits.A, seed: seed + 3, name: 'fc2' }),
      wageErrorQuantizer({ errorBits: bits.E, name: 'error_out' }),
    ],
  });
}

/** The same LeNet in float32: ReLU, biases, softmax output. */
export function floatLenet(seed: number): tfl.Sequential {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed + k });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 32,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: init(0),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 5, activation: 'relu', kernelInitializer: init(1) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
}

/**
 * Inference cost of the WAGE LeNet at `bits` (only k_W and k_A matter for inference) from hw-model,
 * per image, with the same topology in float32 and int8: a Markdown section.
 */
export function wageCostMarkdown(bits: Bits): string {
  const model = wageLenet(bits, 0);
  try {
    return [
      '## Inference cost (hw-model)',
      '',
      `\`summaryToMarkdown(summary(model, { batchSize: 1 }))\` of the ${bits.W}-${bits.A}-${bits.G}-${bits.E} WAGE LeNet, one image; the last table compares the same topology with float32 and int8 operands.`,
      '',
      summaryToMarkdown(summary(model, { batchSize: 1 })),
      '',
    ].join('\n');
  } finally {
    model.dispose();
  }
}
