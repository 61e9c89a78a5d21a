/**
 * FAMES (arXiv 2411.18055) as a controlled experiment on Fashion-MNIST: a mixed-precision net
 * (8-bit first and last layers, 4-bit, 2-bit-weight and 3-bit inner layers) whose every layer
 * multiplies through an approximate-multiplier (AppMul) slot, trained with exact products for
 * several seeds, then WITHOUT retraining, in two arms (every layer substitutable; first and last
 * layers kept exact, so the saving cannot come from the 8-bit tables alone):
 *   - FAMES's selection (counting matrices -> estimated loss change per (layer, design) ->
 *     multiple-choice knapsack) at a 1-point accuracy budget, against "cheapest design under the
 *     MAE cap" (the cap tuned to the same budget) and against random feasible assignments at the
 *     same energy;
 *   - Spearman(estimated, measured loss change) over every (layer, design) and over the admitted;
 *   - FAMES's selection time against a GA on measured loss, run until it is as good as FAMES.
 * Every accuracy is on the test set (10,000 images by default); claims get paired bootstrap
 * intervals over test images and seeds, and computed verdicts. Writes docs/results/fames.{md,json}.
 *
 *   npm run start -w examples/fames               # the experiment (see README for its time)
 *   npm run start -w examples/fames -- --quick    # smoke run: docs/results/fames-quick.*
 *
 * Options: --seeds 1,2,3 --train N (0: the whole split) --epochs E --batch B --test N --calib N --select N --draws D
 * --population P --generations G --max-mae M --backend wasm|cpu|tensorflow --out STEM.
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadFashionMnist } from '@lowbit/datasets';
import {
  accuracyOf,
  claim,
  claimLine,
  concatSeeds,
  correctness,
  fitSeeded,
  formatSpread,
  mdTable,
  spread,
  cosineSchedule,
  writeResult,
  type Claim,
  type CurveRow,
} from '@lowbit/experiment-kit';
import { LowbitConfigError, SeededRng } from '@lowbit/quant-core';
import { selectBackend, type BackendName } from '@lowbit/training-kernels';
import {
  appMulLibrary,
  countingMatricesOf,
  estimateLossTerms,
  layerChoices,
  selectMultipliers,
  setMultiplier,
  type AppMul,
  type LayerMultiplierChoices,
} from '@lowbit/fames-appmul';
import { cheapestUnderMae, energyOf, estimatedLossOf, famesAtEnergy, gaUntil, randomUnderEnergy } from './baselines.js';
import { bootstrapSpearman, claimOf, tInterval } from './intervals.js';
import { LAYERS, NET_DESCRIPTION, floatNet, mixedPrecisionNet } from './net.js';

// ---- settings ---------------------------------------------------------------------------------------
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string' },
    seeds: { type: 'string' },
    train: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    test: { type: 'string' },
    calib: { type: 'string' },
    select: { type: 'string' },
    draws: { type: 'string' },
    population: { type: 'string' },
    generations: { type: 'string' },
    'max-mae': { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = args.quick === true;
const int = (name: string, raw: string | undefined, fallback: number, min = 1) => {
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) throw new LowbitConfigError(`--${name}`, raw, `expected an integer >= ${min}`);
  return v;
};
const seeds = (args.seeds ?? (quick ? '1' : '1,2,3')).split(',').map((s) => int('seeds', s, 1));
const settings = {
  quick,
  backend: (args.backend ?? null) as BackendName | null,
  seeds,
  /** The float baseline (its curve shows where training plateaus) is trained for the first seed. */
  floatSeeds: seeds.slice(0, 1),
  /** 0: every train-split image not held out for calibration and selection (59,317 of 59,945). */
  trainImages: int('train', args.train, quick ? 1500 : 0, 0),
  epochs: int('epochs', args.epochs, quick ? 1 : 6),
  batchSize: int('batch', args.batch, quick ? 64 : 128),
  /** Adam, cosine decay from base to min over the epochs (kit `cosineSchedule`), as the other experiments. */
  learningRate: { base: 2e-3, min: 1e-4 },
  testImages: int('test', args.test, quick ? 1000 : 10000),
  calibrationImages: int('calib', args.calib, quick ? 32 : 128),
  selectionImages: int('select', args.select, quick ? 100 : 500),
  randomDraws: int('draws', args.draws, quick ? 2 : 3),
  gaPopulation: int('population', args.population, quick ? 4 : 24, 2),
  gaGenerations: int('generations', args.generations, quick ? 2 : 20, 0),
  /** The GA comparison's fixed loss budget (nats), tight enough that FAMES's selection is a trade-off. */
  gaFixedLossBudget: 0.001,
  /** Admission: exact plus designs with MAE <= this % of the product range (FAMES, GA, random). */
  maxMaePercent: Number(args['max-mae'] ?? 1),
  accuracyBudgetPoints: 1,
  /** FAMES: loss budgets tried (nats of calibration cross-entropy); each selection is checked on the selection set. */
  lossBudgetLadder: quick ? [0, 0.01, 0.04] : [0, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08],
  /** Cheapest-under-MAE: caps tried (% of the product range), the same selection-set check. */
  maeCapLadder: quick ? [0.1, 1] : [0.02, 0.05, 0.1, 0.25, 0.5, 1],
  model: NET_DESCRIPTION,
};
if (!(settings.maxMaePercent >= 0)) throw new LowbitConfigError('--max-mae', args['max-mae'], 'expected a number >= 0');
settings.maeCapLadder = settings.maeCapLadder.filter((c) => c <= settings.maxMaePercent);
if (!settings.maeCapLadder.includes(settings.maxMaePercent)) settings.maeCapLadder.push(settings.maxMaePercent);
const stem = args.out ?? (quick ? 'fames-quick' : 'fames');
if (!/^[A-Za-z0-9._-]+$/.test(stem))
  throw new LowbitConfigError('--out', stem, 'expected a file stem (letters, digits, . _ -)');

const startedAt = new Date();
const t0 = performance.now();
const seconds = () => (performance.now() - t0) / 1000;
const log = (msg: string) => console.log(`[${seconds().toFixed(0).padStart(5)} s] ${msg}`);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

tf.enableProdMode();
const backendChoice = await selectBackend(settings.backend ? { prefer: settings.backend, log: false } : { log: false });
// The LUT kernels are registered on cpu and wasm; elsewhere AppMul layers would fall back to a slow gather.
if (!['cpu', 'wasm'].includes(tf.getBackend())) await tf.setBackend('cpu');
const backend = `${tf.getBackend()} (${backendChoice.reason.split(';')[0]})`;
log(`backend ${backend}`);

// ---- data: train / calibration / selection subsets of the train split, the test split -----------------
const heldOut = settings.calibrationImages + settings.selectionImages;
const pool = await loadFashionMnist(
  settings.trainImages === 0 ? { split: 'train' } : { split: 'train', limit: settings.trainImages + heldOut },
);
if (settings.trainImages === 0) settings.trainImages = pool.count - heldOut;
if (settings.trainImages < 1 || settings.trainImages + heldOut > pool.count)
  throw new LowbitConfigError(
    '--train',
    args.train,
    `expected training + calibration + selection images <= the ${pool.count} of the train split`,
  );
const test = await loadFashionMnist({ split: 'test', limit: settings.testImages });
const testLabels = Int32Array.from(test.labels.dataSync());
const sliceOf = (start: number, n: number) => ({
  x: tf.slice(pool.images, [start, 0, 0, 0], [n, 28, 28, 1]),
  labels: tf.slice(pool.labels, [start], [n]),
});
const train = sliceOf(0, settings.trainImages);
const calib = sliceOf(settings.trainImages, settings.calibrationImages);
const selection = sliceOf(settings.trainImages + settings.calibrationImages, settings.selectionImages);
const selectionLabels = Int32Array.from(selection.labels.dataSync());
const yTrain = tf.oneHot(train.labels, 10);
const yCalib = tf.oneHot(calib.labels, 10);
log(
  `data: ${settings.trainImages} train, ${settings.calibrationImages} calibration, ${settings.selectionImages} selection (train split), ${test.count} test images`,
);
const schedule = cosineSchedule(settings.learningRate.base, settings.epochs, settings.learningRate.min);

// ---- float baseline ------------------------------------------------------------------------------------
const floatRuns: { seed: number; curve: CurveRow[]; seconds: number }[] = [];
for (const seed of settings.floatSeeds) {
  const net = floatNet(seed);
  net.compile({
    optimizer: tf.train.adam(settings.learningRate.base),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const t = performance.now();
  const curve = await fitSeeded(net, train.x, yTrain, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed,
    learningRate: schedule,
    validation: { x: test.images, labels: testLabels },
    onEpoch: (r) =>
      log(`float s${seed} epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, test ${(100 * r.testAccuracy!).toFixed(2)}%`),
  });
  floatRuns.push({ seed, curve, seconds: (performance.now() - t) / 1000 });
  net.dispose();
}

// ---- per seed: train the mixed-precision net, then select without retraining ---------------------------
type ArmName = 'all' | 'inner';
const ARM_LABEL: Record<ArmName, string> = {
  all: 'every layer substitutable',
  inner: 'first and last layers exact',
};
interface Pick {
  multipliers: string[];
  energy: number;
  energySavingPercent: number;
  estimatedLoss: number;
  selectionAccuracy: number | null;
  testAccuracy: number;
}
interface LadderRow {
  at: number;
  multipliers: string[];
  energySavingPercent: number;
  estimatedLoss: number;
  selectionAccuracy: number;
}
interface ArmResult {
  candidates: Record<string, number>;
  famesLadder: LadderRow[];
  naiveLadder: LadderRow[];
  fames: Pick & { lossBudget: number | null };
  naive: Pick & { maeCap: number | null };
  famesAtNaiveEnergy: Pick & { lossBudget: number };
  random: Pick[];
}
interface SeedResult {
  seed: number;
  curve: CurveRow[];
  trainSeconds: number;
  exact: { testAccuracy: number; selectionAccuracy: number; calibLoss: number; energy: number };
  countingSeconds: number;
  estimateSeconds: number;
  arms: Record<ArmName, ArmResult>;
  pairs: {
    layer: string;
    multiplier: string;
    admitted: boolean;
    estimated: number;
    firstOrder: number;
    measured: number;
  }[];
  pairsSeconds: number;
  ga: {
    /** 'fixed': settings.gaFixedLossBudget; 'one-point': the loss budget FAMES's ladder found for the accuracy budget. */
    target: 'fixed' | 'one-point';
    lossBudget: number;
    gaBudget: number;
    famesSeconds: number;
    famesEnergySavingPercent: number;
    famesMeasuredLossChange: number;
    evaluations: number;
    seconds: number;
    reached: boolean;
    bestEnergySavingPercent: number | null;
    bestMeasuredLossChange: number | null;
    secondsPerEvaluation: number;
    ratio: number;
    spaceSize: number;
  }[];
  /** Per-image test correctness of each arm's picks (not in the JSON). */
  correct: Record<
    ArmName,
    { fames: Uint8Array; naive: Uint8Array; famesAtNaiveEnergy: Uint8Array; random: Uint8Array[] }
  >;
}
const results: SeedResult[] = [];

for (const seed of settings.seeds) {
  const { model, appLayers } = mixedPrecisionNet(seed);
  model.compile({
    optimizer: tf.train.adam(settings.learningRate.base),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const tTrain = performance.now();
  const curve = await fitSeeded(model, train.x, yTrain, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed,
    learningRate: schedule,
    onEpoch: (r) =>
      log(`mixed s${seed} epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, train ${(100 * r.trainAccuracy!).toFixed(2)}%`),
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;

  const predict = (x: tf.Tensor) => model.apply(x, { training: false }) as tf.Tensor;
  // An exact design runs on the layer's exact path (null multiplier): same products, no table lookups.
  const setAll = (ms: AppMul[]) => appLayers.forEach((l, i) => setMultiplier(l, ms[i].isExact() ? null : ms[i]));
  const keyOf = (ms: AppMul[]) => ms.map((m) => m.name).join(',');
  const testCache = new Map<string, Uint8Array>();
  const testCorrect = (ms: AppMul[]) => {
    const key = keyOf(ms);
    let v = testCache.get(key);
    if (!v) {
      setAll(ms);
      v = correctness(predict, test.images, testLabels, 500);
      testCache.set(key, v);
    }
    return v;
  };
  const selectionCache = new Map<string, number>();
  const selectionAccuracy = (ms: AppMul[]) => {
    const key = keyOf(ms);
    let a = selectionCache.get(key);
    if (a === undefined) {
      setAll(ms);
      a = accuracyOf(correctness(predict, selection.x, selectionLabels, 500));
      selectionCache.set(key, a);
    }
    return a;
  };
  /** Mean cross-entropy on the calibration batch (the loss FAMES budgets). */
  const calibLoss = (yPred: tf.Tensor) =>
    tf.neg(tf.mean(tf.sum(tf.mul(yCalib, tf.log(tf.add(yPred, 1e-7))), -1))) as tf.Scalar;
  const lossNow = () => tf.tidy(() => calibLoss(predict(calib.x)).dataSync()[0]);

  appLayers.forEach((l) => setMultiplier(l, null));
  const exactTest = correctness(predict, test.images, testLabels, 500);
  const exactSelection = accuracyOf(correctness(predict, selection.x, selectionLabels, 500));
  const exactLoss = lossNow();

  const tCount = performance.now();
  const counting = countingMatricesOf(model, calib.x, calibLoss);
  const countingSeconds = (performance.now() - tCount) / 1000;
  const libraries = counting.map((c) => appMulLibrary({ a: c.counting.a, w: c.counting.w }));
  const tEst = performance.now();
  const choicesAll: LayerMultiplierChoices[] = counting.map((c, l) =>
    layerChoices(c.layer.name, c.counting, libraries[l], c.multiplications, { maxMaePercent: settings.maxMaePercent }),
  );
  const estimateSeconds = (performance.now() - tEst) / 1000;
  const last = counting.length - 1;
  const choicesInner = counting.map((c, l) =>
    l === 0 || l === last
      ? layerChoices(
          c.layer.name,
          c.counting,
          libraries[l].filter((m) => m.isExact()),
          c.multiplications,
        )
      : choicesAll[l],
  );
  const exactChoice = choicesAll.map((c) => c.multipliers.findIndex((m) => m.isExact()));
  const exactEnergy = energyOf(choicesAll, exactChoice);
  const saving = (e: number) => 100 * (1 - e / exactEnergy);
  log(
    `s${seed} exact: test ${(100 * accuracyOf(exactTest)).toFixed(2)}%, selection ${(100 * exactSelection).toFixed(2)}%, calibration loss ${exactLoss.toFixed(4)}; counting ${countingSeconds.toFixed(1)} s, estimates ${(1000 * estimateSeconds).toFixed(0)} ms`,
  );

  const arms = {} as Record<ArmName, ArmResult>;
  const correct = {} as SeedResult['correct'];
  for (const arm of ['all', 'inner'] as ArmName[]) {
    const choices = arm === 'all' ? choicesAll : choicesInner;
    const msOf = (choice: readonly number[]) => choice.map((j, l) => choices[l].multipliers[j]);
    const row = (at: number, choice: number[]): LadderRow => ({
      at,
      multipliers: msOf(choice).map((m) => m.name),
      energySavingPercent: saving(energyOf(choices, choice)),
      estimatedLoss: estimatedLossOf(choices, choice),
      selectionAccuracy: selectionAccuracy(msOf(choice)),
    });
    const within = (r: LadderRow) =>
      100 * (exactSelection - r.selectionAccuracy) <= settings.accuracyBudgetPoints + 1e-9;
    const cheapestWithin = (rows: { r: LadderRow; choice: number[] }[]) =>
      rows
        .filter((x) => within(x.r))
        .reduce<{ r: LadderRow; choice: number[] } | null>(
          (b, x) => (b === null || x.r.energySavingPercent > b.r.energySavingPercent ? x : b),
          null,
        );
    const famesRows = settings.lossBudgetLadder.map((b) => {
      const choice = selectMultipliers(choices, b).choice;
      return { r: row(b, choice), choice };
    });
    const naiveRows = settings.maeCapLadder.map((cap) => {
      const choice = cheapestUnderMae(choices, cap);
      return { r: row(cap, choice), choice };
    });
    const famesPick = cheapestWithin(famesRows);
    const naivePick = cheapestWithin(naiveRows);
    const famesChoice = famesPick?.choice ?? exactChoice;
    const naiveChoice = naivePick?.choice ?? exactChoice;
    const atNaive = famesAtEnergy(choices, energyOf(choices, naiveChoice));
    const rng = new SeededRng(seed * 1000 + (arm === 'all' ? 1 : 2));
    const randomChoices = Array.from({ length: settings.randomDraws }, () =>
      randomUnderEnergy(choices, energyOf(choices, famesChoice), rng),
    ).filter((c): c is number[] => c !== null);
    const pick = (choice: number[], v: Uint8Array, sel: number | null): Pick => ({
      multipliers: msOf(choice).map((m) => m.name),
      energy: energyOf(choices, choice),
      energySavingPercent: saving(energyOf(choices, choice)),
      estimatedLoss: estimatedLossOf(choices, choice),
      selectionAccuracy: sel,
      testAccuracy: accuracyOf(v),
    });
    const vF = testCorrect(msOf(famesChoice));
    const vN = testCorrect(msOf(naiveChoice));
    const vA = testCorrect(msOf(atNaive.choice));
    const vR = randomChoices.map((c) => testCorrect(msOf(c)));
    correct[arm] = { fames: vF, naive: vN, famesAtNaiveEnergy: vA, random: vR };
    arms[arm] = {
      candidates: Object.fromEntries(choices.map((c) => [c.name, c.multipliers.length])),
      famesLadder: famesRows.map((x) => x.r),
      naiveLadder: naiveRows.map((x) => x.r),
      fames: {
        ...pick(famesChoice, vF, famesPick?.r.selectionAccuracy ?? exactSelection),
        lossBudget: famesPick?.r.at ?? null,
      },
      naive: {
        ...pick(naiveChoice, vN, naivePick?.r.selectionAccuracy ?? exactSelection),
        maeCap: naivePick?.r.at ?? null,
      },
      famesAtNaiveEnergy: { ...pick(atNaive.choice, vA, null), lossBudget: atNaive.lossBudget },
      random: randomChoices.map((c, k) => pick(c, vR[k], null)),
    };
    const a = arms[arm];
    log(
      `s${seed} ${arm}: FAMES -${a.fames.energySavingPercent.toFixed(1)}% test ${(100 * a.fames.testAccuracy).toFixed(2)}%; cheapest-under-MAE -${a.naive.energySavingPercent.toFixed(1)}% test ${(100 * a.naive.testAccuracy).toFixed(2)}%; FAMES at its energy -${a.famesAtNaiveEnergy.energySavingPercent.toFixed(1)}% test ${(100 * a.famesAtNaiveEnergy.testAccuracy).toFixed(2)}%; random ${a.random.map((r) => `${(100 * r.testAccuracy).toFixed(2)}%`).join(' ')}`,
    );
  }

  // Estimated vs measured loss change: every (layer, design) pair, that layer substituted, the others exact.
  appLayers.forEach((l) => setMultiplier(l, null));
  const tPairs = performance.now();
  const pairs: SeedResult['pairs'] = [];
  counting.forEach((c, l) => {
    for (const m of libraries[l].filter((d) => !d.isExact())) {
      setMultiplier(c.layer, m);
      const terms = estimateLossTerms(c.counting, m);
      pairs.push({
        layer: c.layer.name,
        multiplier: m.name,
        admitted: m.metrics().maePercent <= settings.maxMaePercent,
        estimated: terms.firstOrder + terms.secondOrder,
        firstOrder: terms.firstOrder,
        measured: lossNow() - exactLoss,
      });
    }
    setMultiplier(c.layer, null);
  });
  const pairsSeconds = (performance.now() - tPairs) / 1000;

  // GA vs FAMES (every layer substitutable): GA time until it is as good as FAMES, at a fixed tight loss
  // budget (where the budget binds and search matters) and at the budget FAMES's ladder found for 1 point.
  const evaluate = (choice: readonly number[]) => {
    setAll(choice.map((j, l) => choicesAll[l].multipliers[j]));
    return lossNow() - exactLoss;
  };
  const gaTargets: { target: 'fixed' | 'one-point'; lossBudget: number }[] = [
    { target: 'fixed', lossBudget: settings.gaFixedLossBudget },
    { target: 'one-point', lossBudget: arms.all.fames.lossBudget ?? settings.lossBudgetLadder[0] },
  ];
  const ga: SeedResult['ga'] = gaTargets.map(({ target, lossBudget }) => {
    const tk = performance.now();
    const famesSel = selectMultipliers(choicesAll, lossBudget);
    const famesSeconds = countingSeconds + estimateSeconds + (performance.now() - tk) / 1000;
    setAll(famesSel.choice.map((j, l) => choicesAll[l].multipliers[j]));
    const famesMeasured = lossNow() - exactLoss;
    // Equal quality: at most FAMES's energy, measured loss change within the budget (or FAMES's own, if larger).
    const gaBudget = Math.max(lossBudget, famesMeasured);
    const run = gaUntil(choicesAll, evaluate, gaBudget, famesSel.energy, {
      population: settings.gaPopulation,
      generations: settings.gaGenerations,
      seed,
    });
    const g = {
      target,
      lossBudget,
      gaBudget,
      famesSeconds,
      famesEnergySavingPercent: saving(famesSel.energy),
      famesMeasuredLossChange: famesMeasured,
      evaluations: run.evaluations,
      seconds: run.seconds,
      reached: run.reached,
      bestEnergySavingPercent: run.bestEnergy === null ? null : saving(run.bestEnergy),
      bestMeasuredLossChange: run.bestLoss,
      secondsPerEvaluation: run.seconds / Math.max(1, run.evaluations),
      ratio: run.seconds / famesSeconds,
      spaceSize: choicesAll.reduce((p, c) => p * c.options.length, 1),
    };
    log(
      `s${seed} GA at loss budget ${lossBudget}: ${g.reached ? 'reached' : 'did not reach'} FAMES (-${g.famesEnergySavingPercent.toFixed(1)}%, measured ${famesMeasured.toExponential(2)}) after ${g.evaluations} evaluations, ${g.seconds.toFixed(1)} s vs FAMES ${famesSeconds.toFixed(2)} s: ${g.ratio.toFixed(1)}x`,
    );
    return g;
  });
  appLayers.forEach((l) => setMultiplier(l, null));
  results.push({
    seed,
    curve,
    trainSeconds,
    exact: {
      testAccuracy: accuracyOf(exactTest),
      selectionAccuracy: exactSelection,
      calibLoss: exactLoss,
      energy: exactEnergy,
    },
    countingSeconds,
    estimateSeconds,
    arms,
    pairs,
    pairsSeconds,
    ga,
    correct,
  });
  model.dispose();
  writePage(results.length < settings.seeds.length);
}

// ---- the page ------------------------------------------------------------------------------------------
function writePage(partial: boolean): void {
  const S = results.length;
  const f2 = (v: number) => v.toFixed(2);
  const pct = (vs: number[]) => formatSpread(spread(vs.map((v) => 100 * v)));
  const sp = (vs: number[]) => formatSpread(spread(vs));
  const claims: Claim[] = [];
  const armSections: string[] = [];
  for (const arm of ['all', 'inner'] as ArmName[]) {
    const label = ARM_LABEL[arm];
    const c = (k: 'fames' | 'naive' | 'famesAtNaiveEnergy') => concatSeeds(results.map((r) => r.correct[arm][k]));
    claims.push(
      claim(`FAMES beats cheapest-under-MAE at equal-or-lower energy (${label})`, {
        vectors: [c('famesAtNaiveEnergy'), c('naive')],
        seeds: S,
        statistic: ([f, n]) => f - n,
        describe:
          "accuracy(FAMES at the cheapest-under-MAE pick's energy) - accuracy(cheapest-under-MAE, cap tuned to the 1-point budget), points",
      }),
    );
    const draws = Math.min(...results.map((r) => r.correct[arm].random.length));
    if (draws > 0) {
      claims.push(
        claim(`FAMES beats random feasible assignments at equal-or-lower energy (${label})`, {
          vectors: [
            c('fames'),
            ...Array.from({ length: draws }, (_, k) => concatSeeds(results.map((r) => r.correct[arm].random[k]))),
          ],
          seeds: S,
          statistic: ([f, ...rs]) => f - rs.reduce((s, v) => s + v, 0) / rs.length,
          describe: `accuracy(FAMES, 1-point budget) - mean accuracy(${draws} random assignments with energy <= FAMES's), points`,
        }),
      );
    }
    claims.push(
      claimOf(
        `FAMES saves more energy than cheapest-under-MAE within the 1-point budget (${label})`,
        'saving(FAMES) - saving(cheapest-under-MAE), percentage points of multiplier energy, both picked on the selection set (mean over seeds, t interval)',
        tInterval(results.map((r) => r.arms[arm].fames.energySavingPercent - r.arms[arm].naive.energySavingPercent)),
        0,
      ),
    );
    const rows = (name: string, get: (r: SeedResult) => Pick) => [
      name,
      sp(results.map((r) => get(r).energySavingPercent)),
      pct(results.map((r) => get(r).testAccuracy)),
      sp(results.map((r) => 100 * (r.exact.testAccuracy - get(r).testAccuracy))),
      results.map((r) => `s${r.seed}: ${get(r).multipliers.join(', ')}`).join('<br>'),
    ];
    const table = mdTable(
      [
        'selection',
        'energy saving, %',
        'test accuracy, %',
        'drop vs exact, points',
        'designs (conv1, conv2, fc1, fc2, logits) per seed',
      ],
      [
        rows('FAMES, 1-point budget', (r) => r.arms[arm].fames),
        rows('cheapest under MAE cap, 1-point budget', (r) => r.arms[arm].naive),
        rows("FAMES at cheapest-under-MAE's energy", (r) => r.arms[arm].famesAtNaiveEnergy),
        ...(draws > 0
          ? Array.from({ length: draws }, (_, k) =>
              rows(`random, energy <= FAMES's (draw ${k + 1})`, (r) => r.arms[arm].random[k]),
            )
          : []),
      ],
    );
    const r0 = results[0].arms[arm];
    const ladder = (rs: LadderRow[], what: string) =>
      mdTable(
        [what, 'designs', 'energy saving, %', 'estimated loss change', 'selection-set accuracy, %'],
        rs.map((x) => [
          x.at,
          x.multipliers.join(', '),
          f2(x.energySavingPercent),
          x.estimatedLoss.toExponential(2),
          f2(100 * x.selectionAccuracy),
        ]),
      );
    armSections.push(
      `### ${label}\n\nCandidates per layer: ${Object.entries(r0.candidates)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. ` +
        `FAMES loss budget picked per seed: ${results.map((r) => r.arms[arm].fames.lossBudget ?? 'none').join(', ')}; MAE cap picked: ${results.map((r) => r.arms[arm].naive.maeCap ?? 'none').join(', ')}.\n\n${table}\n\n` +
        `Seed ${results[0].seed} ladders (selection set, exact ${f2(100 * results[0].exact.selectionAccuracy)}%):\n\n${ladder(r0.famesLadder, 'FAMES loss budget')}\n\n${ladder(r0.naiveLadder, 'MAE cap, %')}`,
    );
  }
  const pairsOf = (r: SeedResult, admittedOnly: boolean) => r.pairs.filter((p) => !admittedOnly || p.admitted);
  const rhoAll = bootstrapSpearman(
    results.map((r) => ({ x: pairsOf(r, false).map((p) => p.estimated), y: pairsOf(r, false).map((p) => p.measured) })),
  );
  const rhoAdm = bootstrapSpearman(
    results.map((r) => ({ x: pairsOf(r, true).map((p) => p.estimated), y: pairsOf(r, true).map((p) => p.measured) })),
  );
  const rhoFirst = bootstrapSpearman(
    results.map((r) => ({
      x: pairsOf(r, false).map((p) => p.firstOrder),
      y: pairsOf(r, false).map((p) => p.measured),
    })),
  );
  const nAll = results[0].pairs.length;
  const nAdm = pairsOf(results[0], true).length;
  claims.push(
    claimOf(
      'the estimate ranks designs (all designs)',
      `mean over seeds of Spearman(estimated, measured calibration-loss change) over all ${nAll} (layer, design) pairs (bootstrap over seeds and pairs)`,
      rhoAll,
      0,
    ),
    claimOf(
      'the estimate ranks designs (admitted designs)',
      `the same over the ${nAdm} admitted pairs (MAE <= ${settings.maxMaePercent}%)`,
      rhoAdm,
      0,
    ),
  );
  const gaLabel = (t: 'fixed' | 'one-point') =>
    t === 'fixed' ? `fixed loss budget ${settings.gaFixedLossBudget}` : "the 1-point budget's loss budget";
  const ratioIntervals = (['fixed', 'one-point'] as const).map((t) => {
    const iv = tInterval(results.map((r) => Math.log10(r.ga.find((g) => g.target === t)!.ratio)));
    claims.push(
      claimOf(
        `FAMES is faster than the GA at equal quality (${gaLabel(t)})`,
        "log10(GA seconds until a selection as cheap as FAMES's within the loss budget / FAMES seconds), mean over seeds (t interval; a run that never got there counts its whole time, a lower bound)",
        iv,
        0,
      ),
    );
    return { t, iv };
  });
  const perLayerRho = (r: SeedResult) =>
    LAYERS.map((l) => {
      const ps = r.pairs.filter((p) => p.layer === l.name);
      return `${l.name} ${f2(bootstrapSpearman([{ x: ps.map((p) => p.estimated), y: ps.map((p) => p.measured) }], 100).value)}`;
    }).join(', ');
  const f = floatRuns[0];
  const sections = [
    {
      heading: 'Setup',
      markdown: [
        `- Net: ${NET_DESCRIPTION}. Weights: uniform symmetric per-channel; activations unsigned, EMA range (quant-core \`LowbitUniformQuantizer\`); every layer an \`appMulConv2d\` / \`appMulDense\`.`,
        `- Training (every net, same budget): ${settings.epochs} epoch(s) over the first ${settings.trainImages} train-split images, batch ${settings.batchSize}, Adam, learning rate ${settings.learningRate.base} cosine-decayed to ${settings.learningRate.min} over the epochs (kit \`cosineSchedule\`), data order fixed by (seed, epoch) (kit \`fitSeeded\`), exact products. Never retrained after selection.`,
        `- Calibration (counting matrices, measured loss changes, GA fitness): the next ${settings.calibrationImages} train-split images; selection set (accuracy budget -> loss budget / MAE cap): the next ${settings.selectionImages}. Test: ${test.count} test images, used only for the reported figures.`,
        `- Candidates: \`appMulLibrary\` for every layer's operand widths (behavioural designs: truncation, broken array, LSB dropping, Mitchell, DRUM, UDM). **Energy from one source for every design**: the package's gate-count proxy (\`energyPj\`), times the layer's multiplications per image; the saving is against the all-exact net with the same proxy. (EvoApproxLib tables, whose energies come from published power figures, are not used, so the two sources are not mixed.)`,
        `- Admission: exact plus designs with MAE <= ${settings.maxMaePercent}% of the product range (FAMES, GA, random draws). FAMES: second-order estimates (\`estimateLossTerms\`, negative clamped to 0, \`layerChoices\`), knapsack per loss budget of [${settings.lossBudgetLadder.join(', ')}], the cheapest selection within ${settings.accuracyBudgetPoints} point of exact on the selection set. Cheapest-under-MAE: per layer the cheapest design with MAE <= cap, for caps [${settings.maeCapLadder.join(', ')}]%, the same selection-set rule. FAMES at a given energy: the knapsack at the smallest loss budget whose selection costs no more (bisection). Random: ${settings.randomDraws} draws per seed and arm, uniform among assignments whose energy is at most FAMES's (layers in random order, each uniform among the options that keep the rest feasible).`,
        `- GA: at a fixed loss budget of ${settings.gaFixedLossBudget} nats (tight, so the budget binds) and at the loss budget FAMES's ladder found for the 1-point accuracy budget; fames-appmul \`geneticSearch\` (population ${settings.gaPopulation}, up to ${settings.gaGenerations} generations, seeded; its first population also holds the all-cheapest assignment), fitness = measured calibration-loss change, every layer substitutable, seeded with the all-exact assignment; stopped at its first assignment with energy <= FAMES's and measured loss change <= max(FAMES's loss budget, FAMES's measured change). FAMES's time: counting matrices + estimates + knapsack (for the 1-point target the ladder's selection-set checks are not counted; the GA is given the loss budget the ladder found).`,
      ].join('\n'),
    },
    {
      heading: 'Training',
      markdown:
        `Float baseline (seed ${f.seed}, same net shape without quantizers or AppMul, ${f2(f.seconds)} s):\n\n` +
        mdTable(
          ['epoch', 'learning rate', 'loss', 'train accuracy, %', 'test accuracy, %'],
          f.curve.map((r) => [
            r.epoch,
            r.learningRate.toExponential(1),
            r.loss.toFixed(4),
            f2(100 * (r.trainAccuracy ?? NaN)),
            f2(100 * (r.testAccuracy ?? NaN)),
          ]),
        ) +
        `\n\nMixed-precision nets (exact products):\n\n` +
        mdTable(
          ['seed', 'loss per epoch', 'train accuracy per epoch, %', 'test accuracy, %', 'training, s'],
          results.map((r) => [
            r.seed,
            r.curve.map((c) => c.loss.toFixed(3)).join(', '),
            r.curve.map((c) => f2(100 * (c.trainAccuracy ?? NaN))).join(', '),
            f2(100 * r.exact.testAccuracy),
            r.trainSeconds.toFixed(0),
          ]),
        ) +
        `\n\nExact test accuracy over seeds: ${pct(results.map((r) => r.exact.testAccuracy))}%.`,
    },
    {
      heading: `Selection at the ${settings.accuracyBudgetPoints}-point accuracy budget`,
      markdown:
        `Mean ± sd over ${S} seed(s); every accuracy on the ${test.count} test images.\n\n` + armSections.join('\n\n'),
    },
    {
      heading: 'Estimated vs measured loss change',
      markdown:
        `Every (layer, approximate design) pair, that layer substituted and the others exact, calibration loss measured. ` +
        `Mean Spearman over seeds: all ${nAll} pairs ${f2(rhoAll.value)} (95% CI ${f2(rhoAll.lo)} to ${f2(rhoAll.hi)}); admitted ${nAdm} pairs ${f2(rhoAdm.value)} (${f2(rhoAdm.lo)} to ${f2(rhoAdm.hi)}); ` +
        `first-order term alone, all pairs ${f2(rhoFirst.value)} (${f2(rhoFirst.lo)} to ${f2(rhoFirst.hi)}).\n\n` +
        mdTable(
          ['seed', 'all', 'admitted', 'first order only, all', 'per layer (all designs)', 'measuring, s'],
          results.map((r) => [
            r.seed,
            f2(
              bootstrapSpearman(
                [{ x: pairsOf(r, false).map((p) => p.estimated), y: pairsOf(r, false).map((p) => p.measured) }],
                100,
              ).value,
            ),
            f2(
              bootstrapSpearman(
                [{ x: pairsOf(r, true).map((p) => p.estimated), y: pairsOf(r, true).map((p) => p.measured) }],
                100,
              ).value,
            ),
            f2(
              bootstrapSpearman(
                [{ x: pairsOf(r, false).map((p) => p.firstOrder), y: pairsOf(r, false).map((p) => p.measured) }],
                100,
              ).value,
            ),
            perLayerRho(r),
            r.pairsSeconds.toFixed(0),
          ]),
        ),
    },
    {
      heading: 'Selection time: FAMES vs GA',
      markdown:
        `Search space (every layer substitutable, admitted designs): ${results[0].ga[0].spaceSize} assignments. ` +
        `GA limit: population ${settings.gaPopulation}, ${settings.gaGenerations} generations.\n\n` +
        mdTable(
          [
            'seed',
            'loss budget (GA target)',
            'FAMES: saving, measured loss change, s',
            'GA reached FAMES?',
            'GA evaluations',
            'GA s',
            's per evaluation',
            'GA best saving, %',
            'GA s / FAMES s',
          ],
          results.flatMap((r) =>
            r.ga.map((g) => [
              r.seed,
              `${g.lossBudget} (${g.gaBudget.toExponential(2)})`,
              `${f2(g.famesEnergySavingPercent)}%, ${g.famesMeasuredLossChange.toExponential(2)}, ${f2(g.famesSeconds)}`,
              g.reached ? 'yes' : 'no',
              g.evaluations,
              g.seconds.toFixed(1),
              g.secondsPerEvaluation.toFixed(3),
              g.bestEnergySavingPercent === null ? '-' : f2(g.bestEnergySavingPercent),
              g.ratio.toFixed(1),
            ]),
          ),
        ) +
        '\n\n' +
        ratioIntervals
          .map(
            ({ t, iv }) =>
              `Geometric mean ratio at ${gaLabel(t)}: ${(10 ** iv.value).toFixed(1)}x (${
                Number.isFinite(iv.lo)
                  ? `95% CI ${(10 ** iv.lo).toFixed(1)}x to ${(10 ** iv.hi).toFixed(1)}x`
                  : 'no interval from one seed'
              }).`,
          )
          .join(' '),
    },
  ];
  const page = writeResult(join(repoRoot, 'docs/results', stem), {
    title: `FAMES on Fashion-MNIST: multiplier selection without retraining${partial ? ' (partial: run still going)' : ''}`,
    command: `npm run start -w examples/fames${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    settings,
    backend: `${backend}; ${cpus().length} cores shared with other jobs (1-min load ${loadavg()[0].toFixed(1)} at the end)`,
    startedAt,
    seconds: seconds(),
    intro:
      (quick ? '**Quick (smoke) run: tiny subsets, numbers are noisy.**\n\n' : '') +
      'Controlled experiment: one mixed-precision net per seed, trained with exact products, then multipliers chosen without retraining by FAMES and by the baselines over the same candidates, in two arms (every layer substitutable; first and last layers kept exact).',
    sections,
    claims,
    data: {
      floatRuns,
      seeds: results.map(({ correct: _c, ...r }) => r),
    },
  });
  log(`wrote ${page.md}`);
  claims.forEach((c) => log(claimLine(c)));
}
