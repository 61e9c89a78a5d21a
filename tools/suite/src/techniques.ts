/**
 * Each technique's representative configuration, trained (or calibrated) the way its package's
 * README says: `model.fit` for float / WRPN / log-domain / FAMES, `trainWage` for WAGE (its own
 * update rule), `applyDqa` on the trained float net for DQA (post-training).
 *
 * ```ts
 * const result = await TECHNIQUES.wrpn.run(ctx);
 * result.accuracy; // test accuracy in [0, 1]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { oneHotLabels, type LabeledImages } from '@lowbit/datasets';
import { summary } from '@lowbit/hw-model';
import { trainWage, wageErrorRate } from '@lowbit/wage-train';
import { applyDqa } from '@lowbit/dqa-activations';
import {
  appMulLibrary,
  countingMatricesOf,
  layerChoices,
  selectMultipliers,
  setMultiplier,
} from '@lowbit/fames-appmul';
import { applyComposedDqa, composedNet, integerExportCheck, selectFc1Multiplier } from '@lowbit/example-composed';
import { cosineSchedule, setLearningRate } from '@lowbit/experiment-kit';
import type { Progress } from './progress.js';
import type { TechniqueId } from './options.js';
import { FAMES_BITS, famesNet, floatNet, logNet, wageNet, wrpnNet, type NetSizes } from './nets.js';

export interface SuiteData {
  train: LabeledImages;
  test: LabeledImages;
  /** Calibration images for the post-training steps (a subset of the training split). */
  calib: LabeledImages;
}

export interface CurvePoint {
  /** Batches done so far (1-based, across epochs). */
  step: number;
  epoch: number;
  loss: number;
}

export interface TechniqueResult {
  id: TechniqueId;
  label: string;
  /** The configuration in words, e.g. "w4a4, 2x wide, first/last 8-bit". */
  configuration: string;
  model: tfl.LayersModel;
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Wall time of training (or, for post-training techniques, of calibration), seconds. */
  seconds: number;
  kind: 'trained' | 'post-training';
  lossName: string;
  curve: CurvePoint[];
  notes: string[];
}

export interface SuiteContext {
  data: SuiteData;
  sizes: NetSizes;
  epochs: number;
  batchSize: number;
  seed: number;
  progress: Progress;
  /** Results so far (DQA reads the float baseline's model). */
  results: Map<TechniqueId, TechniqueResult>;
}

export interface Technique {
  id: TechniqueId;
  label: string;
  configuration: string;
  run(ctx: SuiteContext): Promise<TechniqueResult>;
}

/** Test accuracy of a softmax/logit model, predicted in batches inside tidy. */
export function testAccuracy(
  model: tfl.LayersModel,
  data: LabeledImages,
  transform?: (x: tf.Tensor) => tf.Tensor,
): number {
  let correct = 0;
  const n = data.count;
  for (let s = 0; s < n; s += 500) {
    const size = Math.min(500, n - s);
    correct += tf.tidy(() => {
      let x: tf.Tensor = tf.slice(data.images, s, size);
      if (transform) x = transform(x);
      const p = model.predict(x) as tf.Tensor;
      return tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), tf.slice(data.labels, s, size)), 'int32')).dataSync()[0];
    });
  }
  return correct / n;
}

/** Keeps at most `max` points of a curve (every k-th, always the last). */
export function thinCurve(curve: CurvePoint[], max = 200): CurvePoint[] {
  if (curve.length <= max) return curve;
  const k = Math.ceil(curve.length / max);
  return curve.filter((_, i) => i % k === k - 1 || i === curve.length - 1);
}

/** `model.fit` with a progress bar and a per-batch loss curve. */
async function fitWithProgress(
  ctx: SuiteContext,
  label: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  learningRate: number,
): Promise<{ seconds: number; curve: CurvePoint[] }> {
  const schedule = cosineSchedule(learningRate, ctx.epochs);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { train } = ctx.data;
  const batchesPerEpoch = Math.ceil(train.count / ctx.batchSize);
  const run = ctx.progress.start(label, { epochs: ctx.epochs, batchesPerEpoch });
  const curve: CurvePoint[] = [];
  const ys = oneHotLabels(train.labels);
  let epoch = 0;
  const t0 = performance.now();
  try {
    await model.fit(train.images, ys, {
      epochs: ctx.epochs,
      batchSize: ctx.batchSize,
      // The data were shuffled once with a seed at load time: identical order in every run.
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (e) => {
          epoch = e;
          setLearningRate(optimizer, schedule(e));
        },
        onBatchEnd: async (batch, logs) => {
          const loss = Number(logs?.loss);
          curve.push({ step: epoch * batchesPerEpoch + batch + 1, epoch: epoch + 1, loss });
          run.update({ epoch, batch: batch + 1, loss });
        },
        onEpochEnd: async (e, logs) =>
          run.epochEnd(e, Number(logs?.loss), logs?.acc === undefined ? undefined : Number(logs.acc)),
      },
    });
  } finally {
    run.stop();
    ys.dispose();
  }
  return { seconds: (performance.now() - t0) / 1000, curve };
}

async function trainedWithFit(
  ctx: SuiteContext,
  t: Omit<Technique, 'run'>,
  model: tfl.LayersModel,
  learningRate: number,
): Promise<TechniqueResult> {
  const optimizer = tf.train.adam(learningRate);
  let trained: { seconds: number; curve: CurvePoint[] };
  try {
    trained = await fitWithProgress(ctx, t.id, model, optimizer, learningRate);
  } finally {
    // Adam's moment variables: the model is not trained again (model.dispose() leaves a user-made optimizer alone).
    optimizer.dispose();
  }
  const { seconds, curve } = trained;
  return {
    ...t,
    model,
    accuracy: testAccuracy(model, ctx.data.test),
    seconds,
    kind: 'trained',
    lossName: 'cross-entropy',
    curve,
    notes: [],
  };
}

/**
 * Every technique trained with `model.fit` uses one schedule: Adam from 2e-3, cosine-decayed to
 * 1/20 of it over the epochs (at two epochs: float32 89.65% against 88.20% from 1e-3).
 */
const ADAM_BASE_LR = 2e-3;
const ADAM_SCHEDULE = 'Adam 2e-3 cosine-decayed over the epochs to 1/20';

const float: Technique = {
  id: 'float',
  label: 'float32 baseline',
  configuration: `float32 weights and activations, ${ADAM_SCHEDULE}`,
  run(ctx) {
    return trainedWithFit(ctx, this, floatNet(ctx.sizes, ctx.seed), ADAM_BASE_LR);
  },
};

const wrpn: Technique = {
  id: 'wrpn',
  label: 'WRPN w4a4 2x',
  configuration: `w4a4 inner layers, first/last layers 8-bit, 2x wide, batch norm, ${ADAM_SCHEDULE}`,
  run(ctx) {
    return trainedWithFit(ctx, this, wrpnNet(ctx.sizes, ctx.seed, 2, 4), ADAM_BASE_LR);
  },
};

const log: Technique = {
  id: 'log',
  label: 'log-domain 4-bit',
  configuration: `4-bit base-2 log weights and activations (first layer input 8-bit linear), STE, ${ADAM_SCHEDULE}`,
  run(ctx) {
    return trainedWithFit(ctx, this, logNet(ctx.sizes, ctx.seed, 4), ADAM_BASE_LR);
  },
};

const toWageInput = (x: tf.Tensor) => tf.sub(tf.mul(x, 2), 1);

const wage: Technique = {
  id: 'wage',
  label: 'WAGE 2-8-8-8',
  configuration:
    'ternary weights, 8-bit activations, gradients and errors; integer SGD (eta 8 -> 1 -> 1/8), batch 128, SSE loss',
  async run(ctx) {
    const model = wageNet(ctx.sizes, ctx.seed);
    const batchSize = 128;
    const { train, test } = ctx.data;
    const batchesPerEpoch = Math.ceil(train.count / batchSize);
    const x = tf.tidy(() => toWageInput(train.images));
    const y = oneHotLabels(train.labels);
    const run = ctx.progress.start(this.id, { epochs: ctx.epochs, batchesPerEpoch });
    const curve: CurvePoint[] = [];
    const t0 = performance.now();
    try {
      await trainWage(model, x, y, {
        epochs: ctx.epochs,
        batchSize,
        gradientBits: 8,
        weightBits: 2,
        seed: ctx.seed,
        onBatchEnd: (epoch, batch, loss) => {
          curve.push({ step: epoch * batchesPerEpoch + batch + 1, epoch: epoch + 1, loss });
          run.update({ epoch, batch: batch + 1, loss });
        },
        onEpochEnd: (e) => run.epochEnd(e.epoch, e.loss),
      });
    } finally {
      run.stop();
      tf.dispose([x, y]);
    }
    const seconds = (performance.now() - t0) / 1000;
    const xTest = tf.tidy(() => toWageInput(test.images));
    const error = wageErrorRate(model, xTest, test.labels);
    xTest.dispose();
    return {
      id: this.id,
      label: this.label,
      configuration: this.configuration,
      model,
      accuracy: 1 - error,
      seconds,
      kind: 'trained',
      lossName: 'SSE (0.5 sum (y - out)^2)',
      curve,
      notes: [],
    };
  },
};

const dqa: Technique = {
  id: 'dqa',
  label: 'DQA 4-bit',
  configuration:
    'post-training on the float baseline: 4-bit activations, m = 3 extra bits on the 50% most important channels (leave-one-out ranking)',
  async run(ctx) {
    const base = ctx.results.get('float');
    if (!base) throw new Error('dqa needs the float baseline (run it first)');
    const { calib } = ctx.data;
    ctx.progress.log(`dqa: calibrating on ${calib.count} images`);
    const t0 = performance.now();
    const model = await applyDqa(
      base.model,
      { x: calib.images, y: calib.labels },
      { bits: 4, extraBits: 3, importantFraction: 0.5 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const direct = await applyDqa(
      base.model,
      { x: calib.images, y: calib.labels },
      { bits: 4, importantFraction: 0, ranking: 'error-energy' },
    );
    const directAccuracy = testAccuracy(direct, ctx.data.test);
    direct.dispose();
    const accuracy = testAccuracy(model, ctx.data.test);
    return {
      id: this.id,
      label: this.label,
      configuration: this.configuration,
      model,
      accuracy,
      seconds,
      kind: 'post-training',
      lossName: '',
      curve: [],
      notes: [
        `direct 4-bit activations (no DQA) on the same float net: ${(100 * directAccuracy).toFixed(2)}% test accuracy; the float net: ${(100 * base.accuracy).toFixed(2)}%`,
      ],
    };
  },
};

const fames: Technique = {
  id: 'fames',
  label: 'FAMES AppMul',
  configuration: `mixed precision (conv1 w${FAMES_BITS.conv1.weight}a${FAMES_BITS.conv1.input}, conv2 w${FAMES_BITS.conv2.weight}a${FAMES_BITS.conv2.input}, fc1 w${FAMES_BITS.fc1.weight}a${FAMES_BITS.fc1.input}, logits w${FAMES_BITS.logits.weight}a${FAMES_BITS.logits.input}), trained exact (${ADAM_SCHEDULE}), then one approximate multiplier per layer chosen under a loss budget of 0.02`,
  async run(ctx) {
    const model = famesNet(ctx.sizes, ctx.seed);
    const trained = await trainedWithFit(ctx, this, model, ADAM_BASE_LR);
    const exactAccuracy = trained.accuracy;
    const exactEnergy = summary(model, { batchSize: 1 }).totals;
    const { calib } = ctx.data;
    const t0 = performance.now();
    const yCalib = oneHotLabels(calib.labels);
    const counting = countingMatricesOf(
      model,
      calib.images,
      (yPred) => tf.losses.softmaxCrossEntropy(yCalib, tf.log(tf.add(yPred, 1e-7))) as tf.Scalar,
    );
    yCalib.dispose();
    // The safeguards examples/fames measured: negative estimates clamped (layerChoices' default),
    // only designs with MAE <= 0.25% of the product range admitted.
    const choices = counting.map((c) =>
      layerChoices(c.layer.name, c.counting, appMulLibrary({ a: c.counting.a, w: c.counting.w }), c.multiplications, {
        maxMaePercent: 0.25,
      }),
    );
    const selection = selectMultipliers(choices, 0.02);
    counting.forEach((c, l) => setMultiplier(c.layer, choices[l].multipliers[selection.choice[l]]));
    const selectSeconds = (performance.now() - t0) / 1000;
    const accuracy = testAccuracy(model, ctx.data.test);
    const after = summary(model, { batchSize: 1 }).totals;
    const picked = counting
      .map((c, l) => `${c.layer.name}: ${choices[l].multipliers[selection.choice[l]].name}`)
      .join(', ');
    return {
      ...trained,
      accuracy,
      seconds: trained.seconds + selectSeconds,
      notes: [
        `multipliers chosen in ${selectSeconds.toFixed(1)} s: ${picked}; estimated loss change ${selection.loss.toExponential(2)} (budget 0.02)`,
        `exact multipliers: ${(100 * exactAccuracy).toFixed(2)}% test accuracy, compute energy ${exactEnergy.computePj.toFixed(0)} pJ; with the chosen AppMuls ${(100 * accuracy).toFixed(2)}%, ${after.computePj.toFixed(0)} pJ (${(100 * (1 - after.computePj / exactEnergy.computePj)).toFixed(1)}% less compute energy)`,
      ],
    };
  },
};

const composed: Technique = {
  id: 'composed',
  label: 'composed (WRPN+log+FAMES+DQA)',
  configuration: `WRPN 2x w4a4 (first/last 8-bit), conv2 on 4-bit log-coded inputs, fc1 through a FAMES-chosen AppMul, DQA 4-bit (+3 on half the channels) on the hidden activations; ${ADAM_SCHEDULE}`,
  async run(ctx) {
    const model = composedNet({ conv1: ctx.sizes.conv1, conv2: ctx.sizes.conv2, fc: ctx.sizes.fc1, seed: ctx.seed });
    const trained = await trainedWithFit(ctx, this, model, ADAM_BASE_LR);
    const { calib } = ctx.data;
    const t0 = performance.now();
    const yCalib = oneHotLabels(calib.labels);
    const fames = selectFc1Multiplier(model, calib.images, yCalib, { budget: 0.02 });
    yCalib.dispose();
    const withAppMul = testAccuracy(model, ctx.data.test);
    const final = await applyComposedDqa(model, calib.images, calib.labels);
    model.dispose();
    const seconds = (performance.now() - t0) / 1000;
    const integer = integerExportCheck(final, tf.slice(ctx.data.test.images, 0, 32));
    return {
      ...trained,
      model: final,
      accuracy: testAccuracy(final, ctx.data.test),
      seconds: trained.seconds + seconds,
      notes: [
        `trained (exact fc1): ${(100 * trained.accuracy).toFixed(2)}%; fc1 through ${fames.multiplier} (FAMES, ${fames.candidates} designs, ${fames.seconds.toFixed(1)} s): ${(100 * withAppMul).toFixed(2)}%; with DQA: see accuracy`,
        `integer export vs forward: ${integer.map((r) => `${r.layer} ${r.bitExact ? 'bit-exact' : r.maxRelativeDiff.toExponential(1)}`).join(', ')}`,
      ],
    };
  },
};

export const TECHNIQUES: Record<TechniqueId, Technique> = { float, wrpn, log, wage, dqa, fames, composed };
