/**
 * Log-domain quantization on Fashion-MNIST (Miyashita, Lee, Murmann 2016), with @lowbit/log-domain:
 *
 * (a) post-training: a float MLP (784-256-128-10) is trained once; then the inputs of its hidden
 *     layers (ReLU activations) are quantized at 3, 4 and 5 bits, log (base 2) vs linear
 *     (LinearQuant), with float weights and with 4-bit log weights;
 * (b) training: the same MLP trained from the same initialisation with 5-bit log vs 5-bit linear
 *     activations (STE), for the same epochs.
 * Accuracy on a test subset and energy per image from @lowbit/hw-model go to
 * docs/results/log-domain.md and .json. Also checked: running the 4-bit log x 4-bit log layers with
 * the integer shift kernels (`arithmetic: 'shift'`) gives the fake-quantized predictions.
 *
 *   npm start -w examples/log-domain [-- --quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadFashionMnist } from '@lowbit/datasets';
import { summary } from '@lowbit/hw-model';
import { logDense, LowbitShiftArithmetic } from '@lowbit/log-domain';
import { LowbitQuantDense, type Quantizer } from '@lowbit/quant-core';
import { selectBackend } from '@lowbit/training-kernels';
import { makeQuantizer, type QuantKind } from './quantizers.js';
import { parseSettings } from './settings.js';

const settings = parseSettings(process.argv.slice(2));
const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

/** Hidden sizes of the MLP; the inputs of layers 1 and 2 (after ReLU) are the quantized activations. */
const UNITS = [256, 128, 10];

interface ModelQuant {
  /** Quantizer of each layer's input (null = float); layer 0 reads the pixels, kept float. */
  inputs: (Quantizer | null)[];
  /** Quantizer of each layer's kernel (null = float). */
  kernels: (Quantizer | null)[];
  shiftInference?: boolean;
}

function buildMlp(q: ModelQuant, seed: number): tfl.LayersModel {
  const layers: tfl.layers.Layer[] = [tfl.layers.flatten({ inputShape: [28, 28, 1] })];
  UNITS.forEach((units, i) => {
    layers.push(
      logDense({
        units,
        activation: i === UNITS.length - 1 ? 'softmax' : 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
        kernelQuantizer: q.kernels[i],
        inputQuantizer: q.inputs[i],
        arithmetic: q.shiftInference && q.inputs[i] && q.kernels[i] ? 'shift' : 'exact',
      }),
    );
  });
  const model = tfl.sequential({ layers });
  model.compile({
    optimizer: tf.train.adam(settings.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

const FLOAT: ModelQuant = { inputs: [null, null, null], kernels: [null, null, null] };

async function accuracy(model: tfl.LayersModel, images: tf.Tensor, labels: tf.Tensor): Promise<number> {
  const predicted = tf.tidy(() => tf.argMax(model.predict(images, { batchSize: 256 }) as tf.Tensor, 1));
  const correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(predicted, labels), 'float32')));
  const acc = (await correct.data())[0] / labels.shape[0];
  tf.dispose([predicted, correct]);
  return acc;
}

async function predictions(model: tfl.LayersModel, images: tf.Tensor): Promise<Int32Array> {
  const p = tf.tidy(() => tf.argMax(model.predict(images, { batchSize: 256 }) as tf.Tensor, 1));
  const v = (await p.data()) as Int32Array;
  p.dispose();
  return v;
}

/** FSR per quantized layer input: ceil(log2 max activation) over calibration images (no clipping). */
function calibrateFsr(model: tfl.LayersModel, images: tf.Tensor): number[] {
  return UNITS.map((_, i) => {
    if (i === 0) return 0;
    const probe = tfl.model({ inputs: model.inputs, outputs: model.layers[i + 1].input as tfl.SymbolicTensor });
    const max = tf.tidy(() => tf.max(probe.predict(images, { batchSize: 256 }) as tf.Tensor).dataSync()[0]);
    return Math.ceil(Math.log2(max));
  });
}

/** FSR of each kernel: ceil(log2 max|w|). */
function kernelFsr(model: tfl.LayersModel): number[] {
  return UNITS.map((_, i) =>
    tf.tidy(() => Math.ceil(Math.log2(tf.max(tf.abs(model.layers[i + 1].getWeights()[0])).dataSync()[0]))),
  );
}

function energyPerImage(model: tfl.LayersModel): { energyPjPerImage: number; computePjPerImage: number } {
  const t = summary(model, { batchSize: 1 }).totals;
  return { energyPjPerImage: t.energyPj, computePjPerImage: t.computePj };
}

function train(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, label: string) {
  return model.fit(x, y, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) =>
        log(
          `${label}: epoch ${epoch + 1}/${settings.epochs} loss ${logs?.loss?.toFixed(4)} acc ${logs?.acc?.toFixed(4)}`,
        ),
    },
  });
}

interface Row {
  experiment: string;
  weights: string;
  activations: string;
  bits: number | null;
  /** Test accuracy (mean over seeds for the training rows). */
  accuracy: number;
  seedAccuracies?: number[];
  /** hw-model totals per image: everything, and the arithmetic alone (MACs, accumulation). */
  energyPjPerImage: number;
  computePjPerImage: number;
}

async function main(): Promise<void> {
  // wasm-SIMD with lowbit's training kernels (its BatchMatMul replaces the slow stock one), else cpu.
  tf.enableProdMode();
  const backend = (await selectBackend({ prefer: settings.backend, log: false })).backend;
  log(`backend ${backend}; settings ${JSON.stringify(settings)}`);
  const trainSet = await loadFashionMnist({ split: 'train', limit: settings.trainImages });
  const testSet = await loadFashionMnist({ split: 'test', limit: settings.testImages });
  const yTrain = tf.oneHot(trainSet.labels, 10);
  const calib = tf.slice(trainSet.images, 0, settings.calibrationImages);
  const rows: Row[] = [];

  // Float baseline.
  tf.randomUniform([1], 0, 1, 'float32', settings.seed).dispose();
  const floatModel = buildMlp(FLOAT, settings.seed);
  await train(floatModel, trainSet.images, yTrain, 'float');
  const floatAcc = await accuracy(floatModel, testSet.images, testSet.labels);
  rows.push({
    experiment: 'baseline',
    weights: 'float32',
    activations: 'float32',
    bits: null,
    accuracy: floatAcc,
    ...energyPerImage(floatModel),
  });
  log(`float accuracy ${floatAcc.toFixed(4)}`);

  // (a) Post-training quantization of the activations (and optionally the weights).
  const actFsr = calibrateFsr(floatModel, calib);
  const wFsr = kernelFsr(floatModel);
  log(`calibrated activation FSR per layer ${JSON.stringify(actFsr)}, kernel FSR ${JSON.stringify(wFsr)}`);
  const floatWeights = floatModel.getWeights();
  for (const weights of ['float32', 'log 4-bit'] as const) {
    for (const bits of [3, 4, 5]) {
      for (const kind of ['log', 'linear'] as QuantKind[]) {
        const q: ModelQuant = {
          inputs: UNITS.map((_, i) => (i === 0 ? null : makeQuantizer({ kind, bits, fsr: actFsr[i], signed: false }))),
          kernels: UNITS.map((_, i) =>
            weights === 'float32' ? null : makeQuantizer({ kind: 'log', bits: 4, fsr: wFsr[i], signed: true }),
          ),
        };
        const model = buildMlp(q, settings.seed);
        model.setWeights(floatWeights);
        const acc = await accuracy(model, testSet.images, testSet.labels);
        rows.push({
          experiment: 'post-training',
          weights,
          activations: kind,
          bits,
          accuracy: acc,
          ...energyPerImage(model),
        });
        log(`post-training weights ${weights}, ${bits}-bit ${kind} activations: accuracy ${acc.toFixed(4)}`);
        model.dispose();
      }
    }
  }

  // Shift-kernel check: the 4-bit log x 4-bit log hidden layers on integer codes.
  const qShift = (shiftInference: boolean): ModelQuant => ({
    inputs: UNITS.map((_, i) =>
      i === 0 ? null : makeQuantizer({ kind: 'log', bits: 4, fsr: actFsr[i], signed: false }),
    ),
    kernels: UNITS.map((_, i) => makeQuantizer({ kind: 'log', bits: 4, fsr: wFsr[i], signed: true })),
    shiftInference,
  });
  const fakeModel = buildMlp(qShift(false), settings.seed);
  const shiftModel = buildMlp(qShift(true), settings.seed);
  fakeModel.setWeights(floatWeights);
  shiftModel.setWeights(floatWeights);
  const shiftLayers = shiftModel.layers.filter(
    (l) => l instanceof LowbitQuantDense && l.arithmetic instanceof LowbitShiftArithmetic,
  ).length;
  const a = await predictions(fakeModel, testSet.images);
  const b = await predictions(shiftModel, testSet.images);
  const agree = a.reduce((n, v, i) => n + (v === b[i] ? 1 : 0), 0) / a.length;
  log(
    `shift-kernel inference (${shiftLayers} layers on integer codes) agrees with fake quantization on ${(100 * agree).toFixed(2)}% of test predictions`,
  );
  fakeModel.dispose();
  shiftModel.dispose();

  // (b) Training with 5-bit log vs 5-bit linear activations, same inits and epochs, several seeds
  // (tfjs's fit shuffles with Math.random, so even one seed is not bit-reproducible).
  for (const kind of ['log', 'linear'] as QuantKind[]) {
    const accs: number[] = [];
    let energy = { energyPjPerImage: 0, computePjPerImage: 0 };
    for (let r = 0; r < settings.trainingSeeds; r++) {
      const seed = settings.seed + 100 * r;
      const q: ModelQuant = {
        inputs: UNITS.map((_, i) => (i === 0 ? null : makeQuantizer({ kind, bits: 5, fsr: actFsr[i], signed: false }))),
        kernels: [null, null, null],
      };
      const model = buildMlp(q, seed);
      await train(model, trainSet.images, yTrain, `train 5-bit ${kind}, seed ${seed}`);
      accs.push(await accuracy(model, testSet.images, testSet.labels));
      energy = energyPerImage(model);
      log(`trained with 5-bit ${kind} activations, seed ${seed}: accuracy ${accs[accs.length - 1].toFixed(4)}`);
      model.dispose();
    }
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    rows.push({
      experiment: 'training',
      weights: 'float32',
      activations: kind,
      bits: 5,
      accuracy: mean,
      seedAccuracies: accs,
      ...energy,
    });
  }

  writeResults(rows, {
    backend,
    floatAcc,
    actFsr,
    wFsr,
    shiftAgreement: agree,
    seconds: (Date.now() - started) / 1000,
  });
  tf.dispose([yTrain, calib, trainSet.images, trainSet.labels, testSet.images, testSet.labels, ...floatWeights]);
}

function writeResults(
  rows: Row[],
  info: {
    backend: string;
    floatAcc: number;
    actFsr: number[];
    wFsr: number[];
    shiftAgreement: number;
    seconds: number;
  },
): void {
  const date = new Date().toISOString();
  const command = `npm start -w examples/log-domain${settings.quick ? ' -- --quick' : ''}`;
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const lines = [
    '# Log-domain quantization on Fashion-MNIST',
    '',
    `Command: \`${command}\` (from the repository root). Backend: ${info.backend}. Date: ${date}. Run time: ${info.seconds.toFixed(0)} s.`,
    '',
    `Settings: MLP 784-${UNITS.join('-')} (ReLU, softmax), Adam lr ${settings.learningRate}, batch ${settings.batchSize}, ${settings.epochs} epochs, seed ${settings.seed};`,
    `Training rows: mean over ${settings.trainingSeeds} initialisation seed(s) (${Array.from({ length: settings.trainingSeeds }, (_, r) => settings.seed + 100 * r).join(', ')}); the float baseline and the post-training rows use seed ${settings.seed}. fit() shuffles with Math.random, so reruns vary by a few tenths of a point.`,
    `${settings.trainImages} training and ${settings.testImages} test images (class-stratified subsets from @lowbit/datasets), ${settings.calibrationImages} calibration images.`,
    'Quantized activations: the inputs of the two hidden->next layers (ReLU outputs, unsigned); the pixels stay float.',
    `FSR per layer = ceil(log2 max) over the calibration images of the float model: activations ${JSON.stringify(info.actFsr.slice(1))}, kernels ${JSON.stringify(info.wFsr)}.`,
    'Energy per image from @lowbit/hw-model `summary(model, { batchSize: 1 }).totals` (45 nm table): `computePj` (multiplies and accumulation: FP multipliers for float operands, shifters for pow2 x int, exponent adders for pow2 x pow2) and `energyPj` (compute plus memory traffic; weights read from DRAM dominate it).',
    '',
    '| experiment | weights | activations | bits | accuracy | drop vs float (points) | compute energy / image (nJ) | total energy / image (nJ) |',
    '|---|---|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.experiment} | ${r.weights} | ${r.activations} | ${r.bits ?? '-'} | ${pct(r.accuracy)}${r.seedAccuracies && r.seedAccuracies.length > 1 ? ` (seeds: ${r.seedAccuracies.map(pct).join(', ')})` : ''} | ${(100 * (info.floatAcc - r.accuracy)).toFixed(2)} | ${(r.computePjPerImage / 1000).toFixed(2)} | ${(r.energyPjPerImage / 1000).toFixed(1)} |`,
    ),
    '',
    `Shift-kernel inference (4-bit log weights x 4-bit log activations of the two hidden->next layers on integer codes, \`arithmetic: 'shift'\`) agrees with the fake-quantized model on ${pct(info.shiftAgreement)} of the test predictions.`,
    '',
  ];
  const out = resolve(process.cwd(), settings.out.startsWith('/') ? settings.out : `${findRoot()}/${settings.out}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.md`, lines.join('\n'));
  writeFileSync(
    `${out}.json`,
    JSON.stringify(
      {
        command,
        date,
        backend: info.backend,
        settings,
        units: UNITS,
        activationFsr: info.actFsr,
        kernelFsr: info.wFsr,
        shiftAgreement: info.shiftAgreement,
        seconds: info.seconds,
        rows,
      },
      null,
      2,
    ),
  );
  log(`wrote ${out}.md and .json`);
  console.log(lines.join('\n'));
}

function findRoot(): string {
  // npm runs workspace scripts in the workspace folder; the results go to the repository root.
  return resolve(process.cwd(), process.cwd().endsWith('examples/log-domain') ? '../..' : '.');
}

await main();
