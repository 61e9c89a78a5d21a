/**
 * Log-domain quantization (Miyashita, Lee, Murmann, arXiv 1603.01025) as a controlled experiment
 * on Fashion-MNIST with the conv LeNet-5:
 *
 * (a) post-training: per seed a float net is trained to a plateau; every hidden activation (the
 *     inputs of conv2, fc1, fc2, out, after ReLU) is then quantized at 3 (and 4) bits, LogQuant vs
 *     LinearQuant, each with its FSR per layer chosen as the best of a small grid (greedy, layer by
 *     layer, calibration cross-entropy) on a calibration slice of the training split;
 * (b) training: the same net trained from the same initialisation, data order and schedule with
 *     5-bit weights and 5-bit activations, log vs linear (straight-through estimator; FSR 'auto'
 *     per tensor while training), then scored with FSRs chosen as in (a).
 * Three seeds per arm, the full 10,000-image test set, paired bootstrap verdicts; writes
 * docs/results/log-domain.{md,json}.
 *
 *   npm start -w examples/log-domain [-- --quick]
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadFashionMnist } from '@lowbit/datasets';
import {
  accuracyOf,
  claim,
  concatSeeds,
  correctness,
  cosineSchedule,
  fitSeeded,
  formatSpread,
  mdTable,
  spread,
  writeResult,
  type Claim,
  type CurveRow,
} from '@lowbit/experiment-kit';
import type { Quantizer } from '@lowbit/quant-core';
import { selectBackend } from '@lowbit/training-kernels';
import { forwardWith, inputMaxima, LENET5, lenet5, QUANTIZED_INPUTS, type Parts } from './lenet.js';
import { activationQuantizer, weightQuantizer, type QuantKind } from './quantizers.js';
import { parseSettings } from './settings.js';

const settings = parseSettings(process.argv.slice(2));
const startedAt = new Date();
const t0 = performance.now();
const seconds = () => (performance.now() - t0) / 1000;
const log = (msg: string) => console.log(`[${seconds().toFixed(0).padStart(5)} s] ${msg}`);

tf.enableProdMode();
const choice = await selectBackend(settings.backend ? { prefer: settings.backend, log: false } : { log: false });
const backend = `${tf.getBackend()} (${choice.reason.split(';')[0]})`;
log(`backend ${backend}`);

const train = await loadFashionMnist({
  split: 'train',
  ...(settings.trainImages ? { limit: settings.trainImages } : {}),
});
const test = await loadFashionMnist({ split: 'test', limit: settings.testImages });
const calib = await loadFashionMnist({ split: 'train', limit: settings.calibrationImages });
const testLabels = Int32Array.from(test.labels.dataSync());
const yTrain = tf.oneHot(train.labels as tf.Tensor1D, 10);
const yCalib = tf.oneHot(calib.labels as tf.Tensor1D, 10);
log(`data: ${train.count} train, ${test.count} test, ${calib.count} calibration images (training split)`);

/** `model.predict` in batches of 500 (its default, 32, is several times slower here). */
function predictor(model: tfl.LayersModel): (x: tf.Tensor) => tf.Tensor {
  return (x) => model.predict(x, { batchSize: 500 }) as tf.Tensor;
}

/** Trains `model`; `withTestCurve` also scores the test set after every epoch (the float baseline's curve). */
async function trainNet(
  model: tfl.LayersModel,
  seed: number,
  label: string,
  withTestCurve: boolean,
): Promise<{ curve: CurveRow[]; seconds: number }> {
  const start = performance.now();
  model.compile({
    optimizer: tf.train.adam(settings.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const curve = await fitSeeded(model, train.images, yTrain, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed,
    learningRate: cosineSchedule(settings.learningRate, settings.epochs, settings.minLearningRate),
    // Test accuracy per epoch measured here, not through fitSeeded's `validation`: its predict runs
    // tfjs's default batches of 32, several times slower than one batch of 500.
    onEpoch: (r) => {
      if (withTestCurve) r.testAccuracy = accuracyOf(correctness(predictor(model), test.images, testLabels));
      log(
        `${label} seed ${seed} epoch ${r.epoch}: lr ${r.learningRate.toExponential(2)}, loss ${r.loss.toFixed(4)}, ` +
          `train accuracy ${(100 * (r.trainAccuracy ?? NaN)).toFixed(2)}%` +
          (r.testAccuracy === undefined ? '' : `, test ${(100 * r.testAccuracy).toFixed(2)}%`) +
          ` (${r.seconds.toFixed(0)} s)`,
      );
    },
  });
  return { curve, seconds: (performance.now() - start) / 1000 };
}

/** Mean cross-entropy of `forward` on the calibration slice. */
function calibrationLoss(forward: (x: tf.Tensor) => tf.Tensor): number {
  let sum = 0;
  for (let s = 0; s < calib.count; s += 500) {
    const size = Math.min(500, calib.count - s);
    sum += tf.tidy(() => {
      const p = tf.clipByValue(forward(tf.slice(calib.images, s, size)), 1e-7, 1);
      return tf.neg(tf.sum(tf.mul(tf.slice(yCalib, s, size), tf.log(p)))).dataSync()[0];
    });
  }
  return sum / calib.count;
}

/**
 * FSR per quantized layer input for one method: greedy in layer order, each layer's FSR the best
 * (lowest calibration loss) of round(log2 max) + offsets, with the layers before it at their chosen
 * FSRs and the layers after it unquantized.
 */
function chooseFsr(model: tfl.LayersModel, kind: QuantKind, bits: number): Record<string, number> {
  const maxima = inputMaxima(model, calib.images, QUANTIZED_INPUTS);
  const chosen = new Map<string, Quantizer>();
  const fsr: Record<string, number> = {};
  for (const name of QUANTIZED_INPUTS) {
    const base = Math.round(Math.log2(Math.max(maxima.get(name)!, 2 ** -20)));
    let best = { loss: Infinity, fsr: base };
    for (const offset of settings.fsrOffsets) {
      const candidate = new Map(chosen).set(name, activationQuantizer(kind, bits, base + offset));
      const loss = calibrationLoss(forwardWith(model, candidate));
      if (loss < best.loss) best = { loss, fsr: base + offset };
    }
    fsr[name] = best.fsr;
    chosen.set(name, activationQuantizer(kind, bits, best.fsr));
  }
  return fsr;
}

const fixedInputs = (kind: QuantKind, bits: number, fsr: Record<string, number>) =>
  new Map(QUANTIZED_INPUTS.map((n) => [n, activationQuantizer(kind, bits, fsr[n])] as [string, Quantizer]));

interface Arm {
  key: string;
  seed: number;
  correct: Uint8Array;
  fsr?: Record<string, number>;
  curve?: CurveRow[];
  trainSeconds?: number;
  /** Trained nets: accuracy with the training-time 'auto' FSR (per test batch of 500), for comparison. */
  autoFsrAccuracy?: number;
}
const arms: Arm[] = [];
const kinds: QuantKind[] = ['log', 'linear'];
const B = settings.trainingBits;
const trainedParts = (kind: QuantKind): Parts => ({
  kernel: () => weightQuantizer(kind, B),
  input: () => activationQuantizer(kind, B, 'auto'),
});

const done: number[] = [];
for (const seed of settings.seeds) {
  const float = lenet5(seed);
  const f = await trainNet(float, seed, 'float', true);
  arms.push({
    key: 'float',
    seed,
    correct: correctness(predictor(float), test.images, testLabels),
    curve: f.curve,
    trainSeconds: f.seconds,
  });
  log(`float seed ${seed}: ${(100 * accuracyOf(arms.at(-1)!.correct)).toFixed(2)}%`);
  for (const bits of settings.postTrainingBits) {
    for (const kind of kinds) {
      const fsr = chooseFsr(float, kind, bits);
      const correct = correctness(forwardWith(float, fixedInputs(kind, bits, fsr)), test.images, testLabels);
      arms.push({ key: `post-${kind}-${bits}`, seed, correct, fsr });
      log(
        `post-training ${bits}-bit ${kind}, seed ${seed}, FSR ${JSON.stringify(fsr)}: ${(100 * accuracyOf(correct)).toFixed(2)}%`,
      );
    }
  }
  float.dispose();

  for (const kind of kinds) {
    const net = lenet5(seed, trainedParts(kind));
    const t = await trainNet(net, seed, `${B}-bit ${kind}`, false);
    const autoFsrAccuracy = accuracyOf(correctness(predictor(net), test.images, testLabels));
    // Score with fixed FSRs: the same layers with the trained weights and weight quantizers, and
    // the activation quantizers applied with the FSR chosen on the calibration slice.
    const fixed = lenet5(seed, { kernel: () => weightQuantizer(kind, B) });
    fixed.setWeights(net.getWeights());
    const fsr = chooseFsr(fixed, kind, B);
    const correct = correctness(forwardWith(fixed, fixedInputs(kind, B, fsr)), test.images, testLabels);
    arms.push({ key: `train-${kind}`, seed, correct, fsr, curve: t.curve, trainSeconds: t.seconds, autoFsrAccuracy });
    log(
      `trained ${B}-bit ${kind}, seed ${seed}: ${(100 * accuracyOf(correct)).toFixed(2)}% with FSR ${JSON.stringify(fsr)} ` +
        `(${(100 * autoFsrAccuracy).toFixed(2)}% with the training-time auto FSR)`,
    );
    net.dispose();
    fixed.dispose();
  }
  done.push(seed);
  writePage();
}

// ---- Statistics and page ----
/** Writes the page from the seeds done so far (after each seed, so a run stopped early still leaves one). */
function writePage(): void {
  const S = done.length;
  const of = (key: string) => done.map((s) => arms.find((a) => a.key === key && a.seed === s)!);
  const vec = (key: string) => concatSeeds(of(key).map((a) => a.correct));
  const accs = (key: string) => of(key).map((a) => 100 * accuracyOf(a.correct));
  const fmt = (key: string) => formatSpread(spread(accs(key)));
  const boot = { resamples: settings.resamples, seeds: S };
  const claims: Claim[] = [];
  for (const bits of settings.postTrainingBits) {
    claims.push(
      claim(`${bits}-bit log > ${bits}-bit linear activations, post-training${bits === 3 ? '' : ' (extra)'}`, {
        vectors: [vec(`post-log-${bits}`), vec(`post-linear-${bits}`)],
        statistic: ([a, b]) => a - b,
        describe: `accuracy(log) - accuracy(linear), every hidden activation at ${bits} bits, float weights, FSR per method; points`,
        ...boot,
      }),
    );
  }
  const trainingClaim = claim(`${B}-bit log training > ${B}-bit linear training (weights and activations)`, {
    vectors: [vec('train-log'), vec('train-linear')],
    statistic: ([a, b]) => a - b,
    describe: `accuracy(trained with ${B}-bit log weights and activations) - accuracy(same with linear), points`,
    ...boot,
  });
  claims.push(trainingClaim);

  const floatSpread = spread(accs('float'));
  const pct = (v: number) => v.toFixed(2);
  const fsrText = (key: string) =>
    of(key)
      .map((a) => QUANTIZED_INPUTS.map((n) => a.fsr![n]).join('/'))
      .join('; ');
  const postTable = mdTable(
    [
      'bits',
      'log: accuracy',
      'linear: accuracy',
      'log - linear (points)',
      'log FSR per seed (conv2/fc1/fc2/out)',
      'linear FSR per seed',
    ],
    settings.postTrainingBits.map((bits) => {
      const l = accs(`post-log-${bits}`);
      const n = accs(`post-linear-${bits}`);
      return [
        bits,
        fmt(`post-log-${bits}`),
        fmt(`post-linear-${bits}`),
        formatSpread(spread(l.map((v, i) => v - n[i]))),
        fsrText(`post-log-${bits}`),
        fsrText(`post-linear-${bits}`),
      ];
    }),
  );
  const trainTable = mdTable(
    [
      'arm',
      'accuracy (fixed FSR)',
      'gap to float (points)',
      'accuracy with training-time auto FSR',
      'FSR per seed (conv2/fc1/fc2/out)',
    ],
    [
      ['float', formatSpread(floatSpread), '-', '-', '-'],
      ...kinds.map((kind) => [
        `${B}-bit ${kind} weights and activations`,
        fmt(`train-${kind}`),
        formatSpread(spread(accs('float').map((v, i) => v - accs(`train-${kind}`)[i]))),
        formatSpread(spread(of(`train-${kind}`).map((a) => 100 * a.autoFsrAccuracy!))),
        fsrText(`train-${kind}`),
      ]),
    ],
  );
  const perSeed = mdTable(
    [
      'seed',
      'float',
      ...settings.postTrainingBits.flatMap((b) => [`post ${b}-bit log`, `post ${b}-bit linear`]),
      `train ${B}-bit log`,
      `train ${B}-bit linear`,
    ],
    done.map((s, i) => [
      s,
      pct(accs('float')[i]),
      ...settings.postTrainingBits.flatMap((b) => [pct(accs(`post-log-${b}`)[i]), pct(accs(`post-linear-${b}`)[i])]),
      pct(accs('train-log')[i]),
      pct(accs('train-linear')[i]),
    ]),
  );
  const curveKeys = ['float', 'train-log', 'train-linear'];
  const curveTable = mdTable(
    ['epoch', 'learning rate', 'float: test % per seed', ...curveKeys.map((k) => `${k}: training loss per seed`)],
    of('float')[0].curve!.map((row, e) => [
      row.epoch,
      row.learningRate.toExponential(2),
      of('float')
        .map((a) => pct(100 * (a.curve![e].testAccuracy ?? NaN)))
        .join(' / '),
      ...curveKeys.map((k) =>
        of(k)
          .map((a) => a.curve![e].loss.toFixed(4))
          .join(' / '),
      ),
    ]),
  );
  const trainingSentence =
    trainingClaim.verdict === 'holds'
      ? `Log training beat linear training: ${trainingClaim.value.toFixed(2)} points (CI ${trainingClaim.lo.toFixed(2)} to ${trainingClaim.hi.toFixed(2)}).`
      : `**Log training did not beat linear training** (${trainingClaim.verdict}): log - linear = ${trainingClaim.value.toFixed(2)} ` +
        `points (CI ${trainingClaim.lo.toFixed(2)} to ${trainingClaim.hi.toFixed(2)}).`;
  const totalSeconds = seconds();
  const command = `npm start -w examples/log-domain${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const root = resolve(new URL('../../../', import.meta.url).pathname);
  const out = settings.out.startsWith('/') ? settings.out : join(root, settings.out);
  writeResult(out, {
    title:
      `Log-domain quantization: controlled comparison on the conv LeNet${settings.quick ? ' (quick smoke run)' : ''}` +
      (S < settings.seeds.length ? ` (partial: ${S} of ${settings.seeds.length} seeds done)` : ''),
    command,
    settings,
    backend,
    startedAt,
    seconds: totalSeconds,
    intro:
      `${LENET5} on Fashion-MNIST (${train.count} training images, ${test.count} test images), ${S} seeds ` +
      `(${done.join(', ')}; each seed fixes the initialisation and the data order of every arm). Every ` +
      `net: ${settings.epochs} epochs of Adam, batch ${settings.batchSize}, cosine learning rate ${settings.learningRate} ` +
      `to ${settings.minLearningRate}. Float test accuracy ${formatSpread(floatSpread)}%. Quantized activations: the ` +
      `inputs of conv2, fc1, fc2 and out (every hidden activation, after ReLU, unsigned); the pixels stay float. ` +
      `LogQuant: base-2 \`LowbitLogQuantizer\` (0 and 2^b - 1 powers of two up to 2^FSR); LinearQuant: ` +
      `\`LowbitLinearFsrQuantizer\` (step 2^(FSR-b), clipped at 2^FSR). FSR per layer and method: the best of ` +
      `round(log2 max) + {${settings.fsrOffsets.join(', ')}} by cross-entropy on ${calib.count} calibration images ` +
      `of the training split (greedy, layer by layer), never on the test set. Training arms: ${B}-bit weights ` +
      `(log: signed LogQuant, FSR round(log2 max|w|) per tensor; linear: symmetric uniform over max|w|, ` +
      `${2 ** (B - 1) - 1} levels a side) and ${B}-bit activations (FSR 'auto' per tensor while training), ` +
      `straight-through gradients. ${trainingSentence}`,
    sections: [
      { heading: 'Post-training, float weights (%, mean ± sd over seeds)', markdown: postTable },
      { heading: `Trained with ${B}-bit weights and activations (%, mean ± sd over seeds)`, markdown: trainTable },
      { heading: 'Per seed (%)', markdown: perSeed },
      {
        heading:
          'Learning curves (float: test accuracy after each epoch, for the record, no selection on it; all arms: training loss)',
        markdown:
          curveTable +
          `\n\nTraining time per net: ${curveKeys
            .map(
              (k) =>
                `${k} ${of(k)
                  .map((a) => `${a.trainSeconds!.toFixed(0)} s`)
                  .join(', ')}`,
            )
            .join('; ')}.`,
      },
    ],
    claims,
    data: {
      model: LENET5,
      trainImages: train.count,
      testImages: test.count,
      calibrationImages: calib.count,
      arms: arms.map(({ correct, ...a }) => ({ ...a, accuracy: accuracyOf(correct) })),
    },
  });
  log(`wrote ${out}.md and .json in ${(totalSeconds / 60).toFixed(1)} min`);
}
tf.dispose([yTrain, yCalib]);
