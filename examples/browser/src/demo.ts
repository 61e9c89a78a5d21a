/**
 * What the page computes, without the DOM: a small quantized classifier built from lowbit layers
 * (`@lowbit/wrpn-layers`, `@lowbit/quant-core`) inside an ordinary `@tensorflow/tfjs` model,
 * trained for a few steps on the best backend the browser has, costed with `@lowbit/hw-model`,
 * and exported as integer codes.
 *
 * ```ts
 * const backend = await chooseBackend();          // 'webgl' when the browser has it, else 'cpu'
 * const model = buildModel();
 * const { x, y } = makeData();
 * for (let step = 1; step <= 20; step++) console.log(await trainStep(model, x, y));
 * const file = exportWeights(model);              // JSON-ready integer codes per layer
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { LowbitQuantLayer, LowbitUniformQuantizer, quantDense } from '@lowbit/quant-core';
import { formatOperand, summary, type ModelSummary } from '@lowbit/hw-model';
import { wrpnDense } from '@lowbit/wrpn-layers';

/** Features per sample and classes of the synthetic task. */
export const FEATURES = 16;
export const CLASSES = 4;

/** Sets the first backend of `preferred` that initialises here and returns its name. */
export async function chooseBackend(preferred: readonly string[] = ['webgl', 'cpu']): Promise<string> {
  for (const name of preferred) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error(`none of the backends ${preferred.join(', ')} could start`);
}

/**
 * 16 -> 32 -> 4: the hidden layer is a WRPN layer (`@lowbit/wrpn-layers`: 16 units widened 2x,
 * 4-bit WRPN weights), the output layer quant-core's `quantDense` with 4-bit per-channel
 * symmetric weights and 4-bit unsigned inputs (an EMA range).
 */
export function buildModel(seed = 1): tf.LayersModel {
  return tf.sequential({
    name: 'browser_demo',
    layers: [
      wrpnDense({
        inputShape: [FEATURES],
        units: 16,
        width: 2,
        weightBits: 4,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        name: 'hidden',
      }),
      quantDense({
        units: CLASSES,
        activation: 'softmax',
        kernelQuantizer: new LowbitUniformQuantizer({ bits: 4, symmetric: true, perChannel: true, axis: -1 }),
        inputQuantizer: new LowbitUniformQuantizer({ bits: 4, symmetric: true, signed: false, range: 'ema' }),
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        name: 'classes',
      }),
    ],
  });
}

/** 256 samples: which of 4 fixed random directions a Gaussian point leans to. */
export function makeData(samples = 256, seed = 7): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomNormal([samples, FEATURES], 0, 1, 'float32', seed) as tf.Tensor2D;
    const directions = tf.randomNormal([FEATURES, CLASSES], 0, 1, 'float32', seed + 1);
    const y = tf.oneHot(tf.argMax(tf.matMul(x, directions), 1), CLASSES).toFloat() as tf.Tensor2D;
    return { x, y };
  });
}

/** Compiles `model` with Adam and categorical cross-entropy. */
export function compile(model: tf.LayersModel, learningRate = 0.02): void {
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
}

export interface StepResult {
  loss: number;
  accuracy: number;
  /** `tf.memory().numTensors` after the step. */
  tensors: number;
}

/** One full-batch training step. */
export async function trainStep(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<StepResult> {
  const [loss, accuracy] = (await model.trainOnBatch(x, y)) as number[];
  return { loss, accuracy, tensors: tf.memory().numTensors };
}

export interface SummaryRow {
  name: string;
  weight: string;
  input: string;
  macs: number;
  bitOps: number;
  energyPj: number;
}

/** hw-model's per-layer cost, one row per layer. */
export function costRows(model: tf.LayersModel): {
  rows: SummaryRow[];
  energyVsFloat32: number | null;
  summary: ModelSummary;
} {
  const s = summary(model);
  const rows = s.layers.map((l) => ({
    name: l.name,
    weight: formatOperand(l.weight),
    input: formatOperand(l.input),
    macs: l.macs,
    bitOps: l.bitOps,
    energyPj: l.energy.totalPj,
  }));
  return { rows, energyVsFloat32: s.ratios.vsFloat32.energyPj, summary: s };
}

/** One layer's integer weights as the download holds them. */
export interface ExportedLayer {
  name: string;
  kernel: {
    shape: number[];
    bits: number;
    signed: boolean;
    encoding: string;
    axis: number | null;
    scale: number[];
    zeroPoint: number[];
    codes: number[];
  };
  bias: number[] | null;
}

export interface WeightsFile {
  format: 'lowbit-quantized-weights';
  model: string;
  layers: ExportedLayer[];
}

/** `exportQuantized()` of every quantized layer, as plain JSON. */
export function exportWeights(model: tf.LayersModel): WeightsFile {
  const layers: ExportedLayer[] = [];
  for (const layer of model.layers) {
    if (!(layer instanceof LowbitQuantLayer) || layer.kernelQuantizer === null) continue;
    const { kernel, bias } = layer.exportQuantized();
    layers.push({
      name: layer.name,
      kernel: {
        shape: [...kernel.shape],
        bits: kernel.bits,
        signed: kernel.signed,
        encoding: kernel.encoding,
        axis: kernel.axis ?? null,
        scale: Array.from(kernel.scale),
        zeroPoint: Array.from(kernel.zeroPoint),
        codes: Array.from(kernel.codes),
      },
      bias: bias ? Array.from(bias) : null,
    });
  }
  return { format: 'lowbit-quantized-weights', model: model.name, layers };
}

/**
 * Largest |dequantized export - kernel the layer computes with (inference)| over every quantized
 * layer: 0 up to float32 rounding when the codes describe the weights the model uses.
 */
export function exportMaxError(model: tf.LayersModel): number {
  let worst = 0;
  for (const layer of model.layers) {
    if (!(layer instanceof LowbitQuantLayer) || layer.kernelQuantizer === null) continue;
    const fromCodes = layer.exportQuantized().kernel.dequantize();
    const used = tf.tidy(() => layer.kernelQuantizer!.call(layer.getWeights()[0], { training: false }).dataSync());
    for (let i = 0; i < used.length; i++) worst = Math.max(worst, Math.abs(used[i] - fromCodes[i]));
  }
  return worst;
}
