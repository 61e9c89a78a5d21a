/**
 * WAGE on MNIST (Wu, Li, Chen, Shi, ICLR 2018) as a controlled experiment, with
 * @lowbit/wage-train and @lowbit/experiment-kit:
 *
 * - arms: the paper's LeNet (32C5-MP2-64C5-MP2-512FC-10) at 2-8-8-8; the same LeNet in float32;
 *   the k_G sweep 2-8-k_G-8 for k_G in {6, 4}, once at the paper's eta (8 -> 1 -> 1/8) and once with
 *   eta rescaled so that eta * sigma(k_G) equals 2-8-8-8's (the expected weight step of the WAGE
 *   update is sigma(k_G) * eta * g / Shift(max|g|), so this keeps the step size and changes only
 *   the gradient grid);
 * - controls: every arm trains for the same number of batches, in the same seeded order of images
 *   for a seed (trainWage's order, replayed for the float arm), from the same initial weights for
 *   a seed (WAGE arms; the float arm has its own seeded Glorot init), and is scored on the same
 *   test images;
 * - claims decided by the kit's paired bootstrap (seeds resampled too) with McNemar's test.
 * Writes docs/results/wage.md and .json after every arm (a stopped run leaves a partial page).
 *
 *   npm start -w examples/wage [-- --quick]
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadMnist } from '@lowbit/datasets';
import {
  accuracyOf,
  claim,
  concatSeeds,
  correctness,
  mdTable,
  spread,
  writeResult,
  type Claim,
} from '@lowbit/experiment-kit';
import { SeededRng, shuffledIndices, wageSigma } from '@lowbit/quant-core';
import { selectBackend } from '@lowbit/training-kernels';
import {
  exportWageNetwork,
  runWageInteger,
  trainWage,
  wageInputCodes,
  wageSchedule,
  type WageStage,
} from '@lowbit/wage-train';
import { floatLenet, wageLenet } from './nets.js';
import { parseSettings } from './settings.js';

const settings = parseSettings(process.argv.slice(2));
const started = new Date();
const elapsed = () => (Date.now() - started.getTime()) / 1000;
const log = (msg: string) => console.log(`[${elapsed().toFixed(0).padStart(5)} s] ${msg}`);
const batchesPerChunk = settings.steps / settings.chunks;

/** The paper's eta schedule over the chunks; the float arm's Adam rate follows the same shape. */
const PAPER_SCHEDULE: WageStage[] = wageSchedule(settings.chunks);
const FLOAT_BASE_RATE = 1e-3;
const MARGIN_VS_FLOAT = 0.5;
const MARGIN_RESCALED = 0.5;

interface CurvePoint {
  chunk: number;
  images: number;
  learningRate: number;
  /** Mean training loss per example over the chunk (SSE for WAGE, cross-entropy for float). */
  loss: number;
  /** Accuracy (%) on the curve test images after the chunk; only for float and 2-8-8-8. */
  curveAccuracy?: number;
}

interface ArmSpec {
  id: string;
  label: string;
  bits: string;
  gradientBits: number | null;
  /** 'paper' eta, 'rescaled' eta * sigma(k_G) = 8 * sigma(8), or float. */
  eta: 'paper' | 'rescaled' | 'float';
  schedule: WageStage[];
}

interface ArmRun {
  seed: number;
  accuracy: number;
  curve: CurvePoint[];
  trainSeconds: number;
  secondsPerStep: number;
  evalSeconds: number;
  correct: Uint8Array;
  integerCheck?: { examples: number; predictionsEqual: number; valuesEqual: boolean; seconds: number };
}

function wageArm(kG: number, eta: 'paper' | 'rescaled'): ArmSpec {
  // eta * sigma(k_G) held at 2-8-8-8's value: eta_k = eta_8 * sigma(8) / sigma(k_G).
  const factor = eta === 'rescaled' ? wageSigma(8) / wageSigma(kG) : 1;
  const id = kG === 8 ? 'wage-8' : `wage-${kG}-${eta}`;
  return {
    id,
    label: kG === 8 ? '2-8-8-8' : `2-8-${kG}-8, ${eta === 'paper' ? 'fixed eta' : 'eta rescaled'}`,
    bits: `2-8-${kG}-8`,
    gradientBits: kG,
    eta,
    schedule: PAPER_SCHEDULE.map((s) => ({ epochs: s.epochs, learningRate: s.learningRate * factor })),
  };
}

const FLOAT: ArmSpec = {
  id: 'float',
  label: 'float32',
  bits: '32-32-32-32',
  gradientBits: null,
  eta: 'float',
  schedule: PAPER_SCHEDULE.map((s) => ({ epochs: s.epochs, learningRate: (FLOAT_BASE_RATE * s.learningRate) / 8 })),
};
const MAIN = wageArm(8, 'paper');
const SWEEP = settings.sweep.flatMap((k) => [wageArm(k, 'paper'), wageArm(k, 'rescaled')]);
const ARMS = [MAIN, FLOAT, ...SWEEP];

interface Data {
  trainX: tf.Tensor4D;
  trainY: tf.Tensor2D;
  testX: tf.Tensor4D;
  testLabels: Int32Array;
  curveX: tf.Tensor4D;
  curveLabels: Int32Array;
}

/** Loaders give pixel / 255; WAGE's input is pixel / 127.5 - 1 (then Q_A inside the model). */
const toWageInput = (images: tf.Tensor4D) => tf.tidy(() => tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D);

async function loadData(): Promise<Data> {
  const train = await loadMnist({ split: 'train', limit: settings.pool });
  const test = await loadMnist({ split: 'test', limit: settings.test });
  const curve = await loadMnist({ split: 'test', limit: settings.curveTest });
  const data: Data = {
    trainX: toWageInput(train.images),
    trainY: tf.tidy(() => tf.cast(tf.oneHot(train.labels, 10), 'float32') as tf.Tensor2D),
    testX: toWageInput(test.images),
    testLabels: test.labels.dataSync() as Int32Array,
    curveX: toWageInput(curve.images),
    curveLabels: curve.labels.dataSync() as Int32Array,
  };
  tf.dispose([train.images, train.labels, test.images, test.labels, curve.images, curve.labels]);
  return data;
}

const pct = (correct: Uint8Array) => 100 * accuracyOf(correct);

async function trainWageArm(arm: ArmSpec, seed: number, data: Data, withCurve: boolean) {
  const model = wageLenet({ W: 2, A: 8, G: arm.gradientBits!, E: 8 }, seed * 16);
  const curve: CurvePoint[] = [];
  const etaOf = (chunk: number) => {
    let c = chunk;
    for (const s of arm.schedule) {
      if (c < s.epochs) return s.learningRate;
      c -= s.epochs;
    }
    return arm.schedule[arm.schedule.length - 1].learningRate;
  };
  let chunkLoss = 0;
  const t0 = Date.now();
  let evalMs = 0;
  const history = await trainWage(model, data.trainX, data.trainY, {
    schedule: arm.schedule,
    batchSize: settings.batch,
    gradientBits: arm.gradientBits!,
    weightBits: 2,
    seed,
    maxBatchesPerEpoch: batchesPerChunk,
    onBatchEnd: (chunk, batch, loss) => {
      chunkLoss += loss;
      if (batch !== batchesPerChunk - 1) return;
      const point: CurvePoint = {
        chunk: chunk + 1,
        images: (chunk + 1) * batchesPerChunk * settings.batch,
        learningRate: etaOf(chunk),
        loss: chunkLoss / batchesPerChunk,
      };
      chunkLoss = 0;
      if (withCurve) {
        const e0 = Date.now();
        point.curveAccuracy = pct(correctness(model, data.curveX, data.curveLabels));
        evalMs += Date.now() - e0;
      }
      curve.push(point);
      log(
        `${arm.label} seed ${seed}: chunk ${chunk + 1}/${settings.chunks}, eta ${point.learningRate}, ` +
          `loss/example ${point.loss.toFixed(4)}${point.curveAccuracy === undefined ? '' : `, curve test ${point.curveAccuracy.toFixed(2)}%`}`,
      );
    },
  });
  const steps = history.reduce((s, h) => s + h.batches, 0);
  return { model, curve, steps, trainSeconds: (Date.now() - t0 - evalMs) / 1000 };
}

/** The float arm: Adam, softmax cross-entropy, trainWage's image order for the seed, replayed. */
async function trainFloatArm(arm: ArmSpec, seed: number, data: Data, withCurve: boolean) {
  const model = floatLenet(seed * 16);
  const optimizer = tf.train.adam(arm.schedule[0].learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // The same stream trainWage draws its per-epoch permutations from (seed + 1).
  const order = new SeededRng((seed + 1) >>> 0);
  const n = data.trainX.shape[0];
  const curve: CurvePoint[] = [];
  const t0 = Date.now();
  let evalMs = 0;
  let steps = 0;
  let chunk = 0;
  for (const stage of arm.schedule) {
    // Adam keeps its rate in a plain field; tfjs has no setter.
    (optimizer as unknown as { learningRate: number }).learningRate = stage.learningRate;
    for (let e = 0; e < stage.epochs; e++, chunk++) {
      const perm = shuffledIndices(n, order);
      let total = 0;
      for (let b = 0; b < batchesPerChunk && b * settings.batch < n; b++, steps++) {
        const idx = tf.tensor1d(perm.subarray(b * settings.batch, Math.min(n, (b + 1) * settings.batch)), 'int32');
        const xb = tf.gather(data.trainX, idx);
        const yb = tf.gather(data.trainY, idx);
        const crossEntropy = () => {
          const p = tf.clipByValue(model.apply(xb, { training: true }) as tf.Tensor, 1e-7, 1);
          return tf.neg(tf.mean(tf.sum(tf.mul(yb, tf.log(p)), 1))) as tf.Scalar;
        };
        const cost = optimizer.minimize(crossEntropy, true, variables)!;
        total += (await cost.data())[0];
        tf.dispose([idx, xb, yb, cost]);
      }
      const point: CurvePoint = {
        chunk: chunk + 1,
        images: (chunk + 1) * batchesPerChunk * settings.batch,
        learningRate: stage.learningRate,
        loss: total / batchesPerChunk,
      };
      if (withCurve) {
        const e0 = Date.now();
        point.curveAccuracy = pct(correctness(model, data.curveX, data.curveLabels));
        evalMs += Date.now() - e0;
      }
      curve.push(point);
      log(
        `float32 seed ${seed}: chunk ${chunk + 1}/${settings.chunks}, lr ${stage.learningRate}, ` +
          `loss/example ${point.loss.toFixed(4)}${point.curveAccuracy === undefined ? '' : `, curve test ${point.curveAccuracy.toFixed(2)}%`}`,
      );
    }
  }
  optimizer.dispose();
  return { model: model as tfl.LayersModel, curve, steps, trainSeconds: (Date.now() - t0 - evalMs) / 1000 };
}

/** Integer-only inference over the first `count` test images vs the float-simulated model. */
function checkInteger(model: tfl.LayersModel, data: Data, count: number): NonNullable<ArmRun['integerCheck']> {
  const t0 = Date.now();
  const net = exportWageNetwork(model);
  let predictionsEqual = 0;
  let valuesEqual = true;
  const chunk = 250;
  for (let start = 0; start < count; start += chunk) {
    const size = Math.min(chunk, count - start);
    const x = tf.slice(data.testX, start, size);
    const out = runWageInteger(net, wageInputCodes(net, x), size);
    const logits = tf.tidy(() => model.predict(x) as tf.Tensor);
    const reference = tf.tidy(() => tf.argMax(logits, 1));
    const f = logits.dataSync();
    const cls = reference.dataSync();
    for (let i = 0; i < f.length; i++) if (out.values[i] * 2 ** out.exponent !== f[i]) valuesEqual = false;
    for (let i = 0; i < size; i++) if (out.predictions[i] === cls[i]) predictionsEqual++;
    tf.dispose([x, logits, reference]);
  }
  return { examples: count, predictionsEqual, valuesEqual, seconds: (Date.now() - t0) / 1000 };
}

async function runArm(arm: ArmSpec, seed: number, data: Data): Promise<ArmRun> {
  const withCurve = arm === MAIN || arm === FLOAT;
  const trained =
    arm === FLOAT ? await trainFloatArm(arm, seed, data, withCurve) : await trainWageArm(arm, seed, data, withCurve);
  if (trained.steps !== settings.steps)
    throw new Error(`${arm.label}: trained ${trained.steps} batches, expected ${settings.steps}`);
  const e0 = Date.now();
  const correct = correctness(trained.model, data.testX, data.testLabels);
  const run: ArmRun = {
    seed,
    accuracy: pct(correct),
    curve: trained.curve,
    trainSeconds: trained.trainSeconds,
    secondsPerStep: trained.trainSeconds / trained.steps,
    evalSeconds: (Date.now() - e0) / 1000,
    correct,
  };
  if (arm === MAIN && seed === settings.seeds[0] && settings.integerCheck > 0) {
    run.integerCheck = checkInteger(trained.model, data, settings.integerCheck);
    const c = run.integerCheck;
    log(
      `integer-only inference: ${c.predictionsEqual}/${c.examples} equal, values ${c.valuesEqual ? 'identical' : 'DIFFERENT'}`,
    );
  }
  trained.model.dispose();
  log(
    `${arm.label} seed ${seed}: test accuracy ${run.accuracy.toFixed(2)}% on ${data.testLabels.length} images ` +
      `(${run.trainSeconds.toFixed(0)} s training, ${run.secondsPerStep.toFixed(2)} s/step, ${run.evalSeconds.toFixed(0)} s test)`,
  );
  return run;
}

// ---------------------------------------------------------------- page

const f2 = (v: number) => v.toFixed(2);
const etaText = (s: WageStage[]) => s.map((x) => `${x.epochs} x ${x.learningRate}`).join(', ');

/** Correctness vectors of `arm` for `seeds`, concatenated; null when a seed has not run yet. */
function vectors(runs: Map<string, ArmRun[]>, arm: ArmSpec, seeds: number[]): Uint8Array | null {
  const got = seeds.map((s) => runs.get(arm.id)?.find((r) => r.seed === s)?.correct);
  return got.every((v) => v !== undefined) ? concatSeeds(got as Uint8Array[]) : null;
}

function claims(runs: Map<string, ArmRun[]>): { claims: Claim[]; pending: string[] } {
  const out: Claim[] = [];
  const pending: string[] = [];
  const add = (name: string, arms: ArmSpec[], seeds: number[], make: (v: Uint8Array[]) => Claim) => {
    const vs = arms.map((a) => vectors(runs, a, seeds));
    if (seeds.length > 0 && vs.every((v) => v !== null)) out.push(make(vs as Uint8Array[]));
    else pending.push(name);
  };
  const seeds = settings.seeds;
  const name1 = `2-8-8-8 WAGE within ${MARGIN_VS_FLOAT} point of float32 (${seeds.length} seeds)`;
  add(name1, [MAIN, FLOAT], seeds, ([w, f]) =>
    claim(name1, {
      vectors: [w, f],
      seeds: seeds.length,
      statistic: ([a, b]) => a - b,
      describe: 'accuracy(2-8-8-8) - accuracy(float32), points',
      threshold: -MARGIN_VS_FLOAT,
    }),
  );
  const sweepSeeds = seeds.slice(0, settings.sweepSeeds);
  for (const k of settings.sweep) {
    const fixed = SWEEP.find((a) => a.id === `wage-${k}-paper`)!;
    const rescaled = SWEEP.find((a) => a.id === `wage-${k}-rescaled`)!;
    const hurts = `fixed eta: k_G = ${k} is less accurate than k_G = 8`;
    add(hurts, [MAIN, fixed], sweepSeeds, ([m, x]) =>
      claim(hurts, {
        vectors: [m, x],
        seeds: sweepSeeds.length,
        statistic: ([a, b]) => a - b,
        describe: `accuracy(2-8-8-8) - accuracy(2-8-${k}-8, fixed eta), points`,
      }),
    );
    const removes = `eta rescaled (eta * sigma(k_G) constant): k_G = ${k} within ${MARGIN_RESCALED} point of k_G = 8`;
    add(removes, [rescaled, MAIN], sweepSeeds, ([x, m]) =>
      claim(removes, {
        vectors: [x, m],
        seeds: sweepSeeds.length,
        statistic: ([a, b]) => a - b,
        describe: `accuracy(2-8-${k}-8, eta rescaled) - accuracy(2-8-8-8), points`,
        threshold: -MARGIN_RESCALED,
      }),
    );
  }
  return { claims: out, pending };
}

/**
 * The curve's change over the last chunk at the top rate (before the first decay): below 0.2 point
 * the net had stopped improving at that rate ("flat"), else it was still learning when the rate
 * dropped. Computed, so the page never calls a run converged by hand.
 */
function plateauText(curve: CurvePoint[]): string {
  const top = curve.filter((p) => p.learningRate === curve[0].learningRate && p.curveAccuracy !== undefined);
  if (top.length < 2) return 'n/a (fewer than 2 chunks at the top rate)';
  const d = top[top.length - 1].curveAccuracy! - top[top.length - 2].curveAccuracy!;
  return `${d >= 0 ? '+' : ''}${f2(d)} (${Math.abs(d) < 0.2 ? 'flat' : 'still moving'})`;
}

function writePage(runs: Map<string, ArmRun[]>, backend: string, done: boolean, loads: number[][]): void {
  const { claims: cs, pending } = claims(runs);
  const sigma8Step = 8 * wageSigma(8);
  const accRows = ARMS.map((arm) => {
    const rs = runs.get(arm.id) ?? [];
    const accs = rs.map((r) => r.accuracy);
    const s = accs.length ? spread(accs) : null;
    const stepSize =
      arm.gradientBits === null ? '-' : String(arm.schedule[0].learningRate * wageSigma(arm.gradientBits));
    return [
      arm.label,
      arm.bits,
      arm.eta === 'float' ? `Adam ${etaText(arm.schedule)}` : etaText(arm.schedule),
      stepSize,
      rs.map((r) => r.seed).join(', ') || 'not run',
      s ? (s.n > 1 ? `${f2(s.mean)} ± ${f2(s.sd)}` : f2(s.mean)) : '-',
      s ? f2(100 - s.mean) : '-',
      rs.map((r) => f2(r.accuracy)).join(' / ') || '-',
      rs.length ? f2(rs.reduce((t, r) => t + r.secondsPerStep, 0) / rs.length) : '-',
    ];
  });
  const curveRows: (string | number)[][] = [];
  for (const arm of [FLOAT, MAIN]) {
    for (const r of runs.get(arm.id) ?? []) {
      for (const p of r.curve) {
        curveRows.push([
          arm.label,
          r.seed,
          p.chunk,
          p.images,
          p.learningRate,
          p.loss.toFixed(4),
          p.curveAccuracy === undefined ? '-' : f2(p.curveAccuracy),
        ]);
      }
    }
  }
  const plateauRows = [FLOAT, MAIN].flatMap((arm) =>
    (runs.get(arm.id) ?? []).map((r) => [arm.label, r.seed, plateauText(r.curve)]),
  );
  const sweepSeeds = settings.seeds.slice(0, settings.sweepSeeds);
  const meanOn = (arm: ArmSpec, seeds: number[]) => {
    const v = vectors(runs, arm, seeds);
    return v === null ? null : pct(v);
  };
  const base = meanOn(MAIN, sweepSeeds);
  const sweepRows = [8, ...settings.sweep].map((k) => {
    const fixed = k === 8 ? MAIN : SWEEP.find((a) => a.id === `wage-${k}-paper`)!;
    const resc = k === 8 ? MAIN : SWEEP.find((a) => a.id === `wage-${k}-rescaled`)!;
    const af = meanOn(fixed, sweepSeeds);
    const ar = meanOn(resc, sweepSeeds);
    const gap = (a: number | null) => (a === null || base === null ? '-' : f2(base - a));
    return [
      k,
      `2^${1 - k}`,
      etaText(fixed.schedule),
      af === null ? '-' : f2(af),
      gap(af),
      etaText(resc.schedule),
      ar === null ? '-' : f2(ar),
      gap(ar),
    ];
  });
  const integer = runs.get(MAIN.id)?.find((r) => r.integerCheck)?.integerCheck;
  const seconds = elapsed();
  const argv = process.argv.slice(2);
  const command = `npm start -w examples/wage${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const intro = [
    `Every arm trains the same budget: ${settings.steps} batches of ${settings.batch} images ` +
      `(${settings.steps * settings.batch} images, ${f2((settings.steps * settings.batch) / settings.pool)} passes over ` +
      `the ${settings.pool}-image training pool), in ${settings.chunks} chunks of ${batchesPerChunk} batches; each chunk is ` +
      `the start of a fresh seeded permutation of the pool (trainWage's order for the seed; the float arm replays it, ` +
      `so all arms see the same images in the same order). WAGE arms of a seed start from the same weights. ` +
      `Schedule (per chunk): the paper's eta 8 -> 1 -> 1/8 over 2/3, 1/6, 1/6 of the chunks; the float arm uses Adam ` +
      `with ${FLOAT_BASE_RATE} x eta/8. Accuracy is on ${settings.test} MNIST test images` +
      `${settings.test === 10000 ? ' (the whole test set)' : ''}; curves on ${settings.curveTest} of them.`,
    '',
    `The WAGE update is dW = sigma(k_G) * sround(eta * g / Shift(max|g|)) with sigma(k) = 2^(1-k) ` +
      `(wage-train's LowbitWageOptimizer, quant-core's wageQuantizeGradient), so its expected step is ` +
      `eta * sigma(k_G) * g / Shift(max|g|): at fixed eta, fewer gradient bits also mean a larger step. ` +
      `The "eta rescaled" arms keep eta * sigma(k_G) at 2-8-8-8's ${sigma8Step} (eta x 2^(k_G - 8)), so ` +
      `only the gradient grid (the variance of the stochastic rounding) differs from 2-8-8-8.`,
    '',
    `Claims and margins. (1) The paper (Wu et al. 2018, Table 1) reports 0.40% MNIST test error for ` +
      `2-8-8-8 after 300 epochs and presents it as matching float training, i.e. a gap to float of about zero; we ` +
      `test "2-8-8-8 accuracy > float32 accuracy - ${MARGIN_VS_FLOAT} point": ${MARGIN_VS_FLOAT} point is above the ` +
      `paper's whole 2-8-8-8 error (0.40%), so a gap outside it would mean WAGE at least doubles the error the paper ` +
      `reports, at this budget. (2) At fixed eta, lower k_G is less accurate (threshold 0). (3) With eta rescaled, ` +
      `k_G = 6 and 4 are within ${MARGIN_RESCALED} point of k_G = 8 (the same margin): if so, the fixed-eta effect is ` +
      `step size, not gradient precision.` +
      (pending.length ? `\n\nNot decided yet (arms still to run): ${pending.join('; ')}.` : ''),
  ].join('\n');
  const sections = [
    {
      heading: 'Test accuracy per arm',
      markdown:
        mdTable(
          [
            'arm',
            'k_W-k_A-k_G-k_E',
            'eta per chunk group',
            'eta x sigma(k_G), first stage',
            'seeds',
            'accuracy % (mean ± sd)',
            'error %',
            'per seed',
            's/step',
          ],
          accRows,
        ) +
        `\n\ns/step: measured training seconds per batch (test scoring excluded), load average ${loads.map((l) => l.map(f2).join('/')).join(' -> ')} (1/5/15 min, start -> now).`,
    },
    {
      heading: 'k_G sweep: fixed eta vs eta rescaled',
      markdown:
        mdTable(
          [
            'k_G',
            'sigma(k_G)',
            'fixed eta',
            'accuracy %',
            'loss vs k_G = 8, points',
            'rescaled eta',
            'accuracy %',
            'loss vs k_G = 8, points',
          ],
          sweepRows,
        ) + `\n\nSeeds: ${sweepSeeds.join(', ')} (accuracy pooled over them).`,
    },
    {
      heading: 'Learning curves (float baseline and 2-8-8-8)',
      markdown:
        mdTable(
          [
            'arm',
            'seed',
            'chunk',
            'images seen',
            'eta / lr',
            'train loss / example',
            `curve test acc % (${settings.curveTest} images)`,
          ],
          curveRows,
        ) +
        '\n\nChange of the curve accuracy over the last chunk at the top rate, before the first decay ' +
        '(points; "flat" below 0.2 point, else the net was still improving when the rate dropped):\n\n' +
        mdTable(['arm', 'seed', 'change over the last top-rate chunk'], plateauRows),
    },
    {
      heading: 'Integer-only inference',
      markdown: integer
        ? `2-8-8-8 seed ${settings.seeds[0]}: the exported integer network (Int32 accumulators, rounding shifts) on the first ${integer.examples} test images: ` +
          `${integer.predictionsEqual} / ${integer.examples} predictions equal to model.predict, output values ` +
          `${integer.valuesEqual ? 'identical (values x 2^exponent == model.predict, every element)' : 'NOT identical'}; ${integer.seconds.toFixed(0)} s.`
        : 'not run',
    },
    {
      heading: 'Reference',
      markdown:
        'Paper (Wu et al. 2018): 0.40% test error at 2-8-8-8 on MNIST after 300 epochs of 60k images (eta 8, 1, 1/8 switching at 200 and 250). ' +
        "The authors' published MNIST log shows 2.65%, 1.62%, 1.24% and 0.76% test error after 1, 2, 3 and 5 epochs of 60k images (469 batches each). " +
        `This run's budget is ${settings.steps} batches per arm.` +
        (done ? '' : '\n\n**Partial page**: the run was still going when this was written.'),
    },
  ];
  const data = {
    arms: ARMS.map((a) => ({
      ...a,
      runs: (runs.get(a.id) ?? []).map(({ correct, ...r }) => ({
        ...r,
        correctImages: correct.reduce((t, v) => t + v, 0),
      })),
    })),
    complete: done,
  };
  writeResult(resolve(process.cwd().endsWith('examples/wage') ? '../..' : '.', settings.out), {
    title: 'WAGE on MNIST: 2-8-8-8 vs float, and gradient bits vs step size',
    command,
    settings,
    backend,
    startedAt: started,
    seconds,
    intro,
    sections,
    claims: cs,
    data,
  });
}

async function main(): Promise<void> {
  const choice = await selectBackend({ prefer: settings.backend, log: false });
  const backend = `${choice.backend} (${choice.reason})`;
  const loads = [loadavg()];
  log(`backend ${backend}; load ${loads[0].map(f2).join(' ')}`);
  log(`settings ${JSON.stringify(settings)}`);
  const data = await loadData();
  log(
    `MNIST: pool ${data.trainX.shape[0]} train, ${data.testLabels.length} test, ${data.curveLabels.length} curve images`,
  );
  const runs = new Map<string, ArmRun[]>();
  // Seed by seed, so a stopped run still has whole comparisons for the first seed.
  for (const [i, seed] of settings.seeds.entries()) {
    // 2-8-8-8 first: the sweep claims of a seed need it, the float claim needs every seed.
    const arms = i < settings.sweepSeeds ? [MAIN, ...SWEEP, FLOAT] : [MAIN, FLOAT];
    for (const arm of arms) {
      const run = await runArm(arm, seed, data);
      runs.set(arm.id, [...(runs.get(arm.id) ?? []), run]);
      writePage(runs, backend, false, [loads[0], loadavg()]);
    }
  }
  writePage(runs, backend, true, [loads[0], loadavg()]);
  log(`wrote ${settings.out}.md and .json`);
  tf.dispose([data.trainX, data.trainY, data.testX, data.curveX]);
}

await main();
