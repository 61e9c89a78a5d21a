/**
 * FAMES example (arXiv 2411.18055): a mixed-precision Fashion-MNIST net whose every layer multiplies
 * through an approximate multiplier (AppMul) slot (quant-core layers with fames-appmul's AppMul
 * arithmetic), trained with exact products, then WITHOUT retraining:
 *   (a) FAMES selection (counting matrices -> estimated loss change per (layer, AppMul) ->
 *       multiple-choice knapsack) at accuracy budgets of 0.5 and 1 point, with the
 *       multiplier-energy saving (hw-model summary) and the measured test-accuracy loss;
 *   (b) Spearman correlation of estimated vs measured loss change over all (layer, AppMul) pairs;
 *   (c) selection wall time of FAMES vs a GA on measured losses for the same loss budget.
 * Writes docs/results/fames.md and docs/results/fames.json.
 *
 *   npm run start -w examples/fames               # default settings (see README for the time)
 *   npm run start -w examples/fames -- --quick    # a smoke run (under 2 min)
 *
 * Options: --quick, --backend tensorflow|wasm|cpu (training backend preference), --epochs E,
 * --train N, --test N, --calib N, --select N, --population P, --generations G, --seed S,
 * --max-mae M (library admission: designs with MAE <= M% of the product range; default 0.25),
 * --out STEM (write docs/results/STEM.md and .json; default fames, or fames-quick with --quick).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadFashionMnist } from '@lowbit/datasets';
import { summary } from '@lowbit/hw-model';
import { LowbitUniformQuantizer, SeededRng, shuffledIndices, spearman } from '@lowbit/quant-core';
import { selectBackend, type BackendName } from '@lowbit/training-kernels';
import {
  AppMul,
  appMulConv2d,
  appMulDense,
  appMulLibrary,
  codeToPattern,
  codesByPattern,
  countingMatricesOf,
  estimateLossTerms,
  layerChoices,
  selectMultipliers,
  selectMultipliersGa,
  setMultiplier,
  type AppMulLayer,
  type LayerMultiplierChoices,
} from '@lowbit/fames-appmul';
import { loadEvoApproxLibrary } from '@lowbit/fames-appmul/node';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string' },
    epochs: { type: 'string' },
    train: { type: 'string' },
    test: { type: 'string' },
    calib: { type: 'string' },
    select: { type: 'string' },
    population: { type: 'string' },
    generations: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'max-mae': { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = args.quick === true;
const settings = {
  quick,
  backend: (args.backend ?? null) as BackendName | null,
  epochs: Number(args.epochs ?? (quick ? 1 : 3)),
  trainSamples: Number(args.train ?? (quick ? 2000 : 12000)),
  testSamples: Number(args.test ?? (quick ? 200 : 1000)),
  calibrationSamples: Number(args.calib ?? (quick ? 16 : 128)),
  selectionSamples: Number(args.select ?? (quick ? 100 : 500)),
  gaPopulation: Number(args.population ?? (quick ? 4 : 12)),
  gaGenerations: Number(args.generations ?? (quick ? 2 : 8)),
  /** Library admission for selection (FAMES and GA): designs with MAE <= this % of the product range. */
  maxMaePercent: Number(args['max-mae'] ?? 0.25),
  /** Measure every n-th candidate per layer for the Spearman check (1: all; --quick: every 3rd). */
  pairStride: quick ? 3 : 1,
  seed: Number(args.seed),
  batchSize: 64,
  accuracyBudgetsPoints: [0.5, 1],
  /** Loss budgets tried per accuracy budget (geometric ladder, nats of cross-entropy). */
  lossBudgetLadder: quick ? [0, 0.01] : [0, 0.001, 0.0025, 0.005, 0.01, 0.02],
  model:
    'conv1 8C5 (a8u w8s) relu MP2 - conv2 16C5 (a4u w4s) relu MP2 - fc1 64 (a4u w3s) relu - logits 10 (a8u w8s) softmax',
};
for (const [k, v] of Object.entries({
  epochs: settings.epochs,
  train: settings.trainSamples,
  test: settings.testSamples,
  calib: settings.calibrationSamples,
  select: settings.selectionSamples,
  population: settings.gaPopulation,
  seed: settings.seed,
})) {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${k} = ${v} is invalid: expected a positive integer`);
}
if (!(settings.maxMaePercent >= 0))
  throw new Error(`--max-mae = ${settings.maxMaePercent} is invalid: expected a number >= 0`);
if (!(Number.isInteger(settings.gaGenerations) && settings.gaGenerations >= 0))
  throw new Error(`--generations = ${settings.gaGenerations} is invalid`);

const stem = args.out ?? (quick ? 'fames-quick' : 'fames');
if (!/^[A-Za-z0-9._-]+$/.test(stem))
  throw new Error(`--out = ${stem} is invalid: expected a file stem (letters, digits, . _ -)`);

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const log = (msg: string) => console.log(`[${elapsed()}] ${msg}`);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

tf.enableProdMode();
const backendChoice = await selectBackend(settings.backend ? { prefer: settings.backend, log: false } : { log: false });
const trainBackend = tf.getBackend();
log(`training backend ${trainBackend}: ${backendChoice.reason}`);

// ---- data: train / calibration / selection subsets of the train split, a test subset --------------
const pool = await loadFashionMnist({
  split: 'train',
  limit: settings.trainSamples + settings.calibrationSamples + settings.selectionSamples,
});
const test = await loadFashionMnist({ split: 'test', limit: settings.testSamples });
const sliceImages = (start: number, n: number) => ({
  x: tf.slice(pool.images, [start, 0, 0, 0], [n, 28, 28, 1]),
  labels: tf.slice(pool.labels, [start], [n]),
});
const train = sliceImages(0, settings.trainSamples);
const calib = sliceImages(settings.trainSamples, settings.calibrationSamples);
const selection = sliceImages(settings.trainSamples + settings.calibrationSamples, settings.selectionSamples);
log(
  `data: ${settings.trainSamples} train, ${settings.calibrationSamples} calibration, ${settings.selectionSamples} selection (train split), ${test.count} test images`,
);

// ---- model --------------------------------------------------------------------------------------
const wq = (bits: number) => new LowbitUniformQuantizer({ bits, symmetric: true, perChannel: true, axis: -1 });
const aq = (bits: number) => new LowbitUniformQuantizer({ bits, symmetric: true, signed: false, range: 'ema' });
const init = (s: number) => tfl.initializers.glorotUniform({ seed: settings.seed * 10 + s });
const conv1 = appMulConv2d({
  inputShape: [28, 28, 1],
  filters: 8,
  kernelSize: 5,
  activation: 'relu',
  name: 'conv1',
  kernelInitializer: init(1),
  kernelQuantizer: wq(8),
  inputQuantizer: aq(8),
});
const conv2 = appMulConv2d({
  filters: 16,
  kernelSize: 5,
  activation: 'relu',
  name: 'conv2',
  kernelInitializer: init(2),
  kernelQuantizer: wq(4),
  inputQuantizer: aq(4),
});
const fc1 = appMulDense({
  units: 64,
  activation: 'relu',
  name: 'fc1',
  kernelInitializer: init(3),
  kernelQuantizer: wq(3),
  inputQuantizer: aq(4),
});
const logits = appMulDense({
  units: 10,
  activation: 'softmax',
  name: 'logits',
  kernelInitializer: init(4),
  kernelQuantizer: wq(8),
  inputQuantizer: aq(8),
});
const model = tfl.sequential({
  name: 'fames_fmnist',
  layers: [
    conv1,
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    conv2,
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    fc1,
    logits,
  ],
});
model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const yTrain = tf.oneHot(train.labels, 10);
const tTrain = performance.now();
// One seeded shuffle per epoch (model.fit's own shuffle uses Math.random), so a seed fixes the run.
const order = new SeededRng(settings.seed + 100);
for (let epoch = 0; epoch < settings.epochs; epoch++) {
  const perm = tf.tensor1d(shuffledIndices(settings.trainSamples, order), 'int32');
  const [xe, ye] = [tf.gather(train.x, perm), tf.gather(yTrain, perm)];
  const h = await model.fit(xe, ye, { epochs: 1, batchSize: settings.batchSize, shuffle: false, verbose: 0 });
  log(
    `epoch ${epoch + 1}: loss ${(h.history.loss[0] as number).toFixed(4)}, accuracy ${(h.history.acc[0] as number).toFixed(4)}`,
  );
  tf.dispose([perm, xe, ye]);
}
const trainSeconds = (performance.now() - tTrain) / 1000;
yTrain.dispose();

// AppMul simulation (LUT kernel) and the counting pass run on the training backend when the LUT
// kernel is registered there (cpu, wasm); elsewhere (tensorflow) on cpu, since the composed gather
// other backends use is ~100x slower for high-rank tables such as EvoApproxLib's (package README).
const simulationBackend = trainBackend === 'wasm' || trainBackend === 'cpu' ? trainBackend : 'cpu';
if (simulationBackend !== trainBackend) await tf.setBackend(simulationBackend);
log(`simulation backend: ${simulationBackend} (trained on ${trainBackend} in ${trainSeconds.toFixed(1)} s)`);

// ---- candidate multipliers ---------------------------------------------------------------------
/**
 * EvoApproxLib tables are 8x8 UNSIGNED. Our 8-bit layers multiply unsigned activation codes
 * (inputs in [0, 1], post-ReLU) by signed weight codes (-127..127), so each table becomes an
 * a8u x w8s AppMul by sign-magnitude: M(a, w) = sign(w) * mul8u(a, |w|) (|w| <= 128 fits). The
 * energy is the published one (the sign handling - a conditional negation of the product - is
 * not priced, for the exact design as for the approximate ones).
 */
function signedWeightsOf(m: AppMul): AppMul {
  const a = { bits: 8, signed: false };
  const w = { bits: 8, signed: true };
  const ca = codesByPattern(a);
  const cw = codesByPattern(w);
  const table = new Int32Array(256 * 256);
  for (let i = 0; i < 256; i++)
    for (let j = 0; j < 256; j++) {
      const p = m.table[codeToPattern(ca[i], 8) * 256 + Math.abs(cw[j])];
      table[i * 256 + j] = cw[j] < 0 ? -p : p;
    }
  return new AppMul({
    name: `${m.name}_sm`,
    family: `${m.family} (sign-magnitude weights)`,
    a,
    w,
    table,
    energyPj: m.energyPj,
    energySource: m.energySource,
    params: { ...m.params, base: m.name },
  });
}
const evoDir = join(repoRoot, '../shared/appmul/evoapprox-mul8u');
const evo = (await loadEvoApproxLibrary(evoDir))
  .map(signedWeightsOf)
  .sort((p, q) => Number(q.isExact()) - Number(p.isExact()));
log(
  `EvoApproxLib: ${evo.length} 8x8 tables from ${evoDir} (exact: ${evo
    .filter((m) => m.isExact())
    .map((m) => m.name)
    .join(', ')})`,
);
const allCandidatesFor = (layer: AppMulLayer): AppMul[] => {
  const p = layer.lowbitPrecision();
  const a = { bits: p.input!.bits, signed: p.input!.signed };
  const w = { bits: p.weight!.bits, signed: p.weight!.signed };
  return a.bits === 8 && !a.signed && w.bits === 8 ? evo : appMulLibrary({ a, w });
};
/** The selection's search space: the admitted designs (first-order estimates hold for small errors). */
const candidatesFor = (layer: AppMulLayer): AppMul[] =>
  allCandidatesFor(layer).filter((m) => m.isExact() || m.metrics().maePercent <= settings.maxMaePercent);

// ---- helpers -------------------------------------------------------------------------------------
const appLayers: AppMulLayer[] = [conv1, conv2, fc1, logits];
const setAll = (ms: (AppMul | null)[]) => appLayers.forEach((l, i) => setMultiplier(l, ms[i]));
const chunk = 250;
function accuracyOn(x: tf.Tensor4D, labels: tf.Tensor1D): number {
  let correct = 0;
  for (let s = 0; s < x.shape[0]; s += chunk) {
    const n = Math.min(chunk, x.shape[0] - s);
    correct += tf.tidy(() => {
      const p = model.apply(tf.slice(x, [s, 0, 0, 0], [n, 28, 28, 1]), { training: false }) as tf.Tensor;
      return tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), tf.slice(labels, [s], [n])), 'int32')).dataSync()[0];
    });
  }
  return correct / x.shape[0];
}
const yCalib = tf.oneHot(calib.labels, 10);
/** Mean cross-entropy of softmax outputs on the calibration batch (the loss FAMES budgets). */
const calibLoss = (yPred: tf.Tensor) =>
  tf.neg(tf.mean(tf.sum(tf.mul(yCalib, tf.log(tf.add(yPred, 1e-7))), -1))) as tf.Scalar;
const lossNow = () => tf.tidy(() => calibLoss(model.apply(calib.x, { training: false }) as tf.Tensor).dataSync()[0]);
/** Multiplier energy per inference, pJ: hw-model's multiply energy summed over layers (batch 1). */
const multiplyPj = () => summary(model, { batchSize: 1 }).layers.reduce((s, l) => s + l.energy.multiplyPj, 0);

setAll([null, null, null, null]);
const exact = {
  testAccuracy: accuracyOn(test.images, test.labels),
  selectionAccuracy: accuracyOn(selection.x, selection.labels),
  calibLoss: lossNow(),
  multiplyPj: multiplyPj(),
};
log(
  `exact multipliers: test accuracy ${(100 * exact.testAccuracy).toFixed(2)}%, selection-set ${(100 * exact.selectionAccuracy).toFixed(2)}%, calibration loss ${exact.calibLoss.toFixed(4)}, multiplier energy ${exact.multiplyPj.toFixed(0)} pJ / inference`,
);

// ---- FAMES: counting matrices, estimates, knapsack -------------------------------------------------
const tCount = performance.now();
const counting = countingMatricesOf(model, calib.x, calibLoss);
const countingSeconds = (performance.now() - tCount) / 1000;
const tEst = performance.now();
// layerChoices clamps negative first-order estimates to 0 (its default): the knapsack would spend
// them on other layers (with 16-256 calibration images, large-error designs get the wrong sign).
const choices: LayerMultiplierChoices[] = counting.map((c) =>
  layerChoices(c.layer.name, c.counting, allCandidatesFor(c.layer), c.multiplications, {
    maxMaePercent: settings.maxMaePercent,
  }),
);
const estimateSeconds = (performance.now() - tEst) / 1000;
log(
  `counting matrices ${countingSeconds.toFixed(1)} s, ${choices.reduce((s, c) => s + c.options.length, 0)} estimates ${(estimateSeconds * 1000).toFixed(0)} ms`,
);

interface Applied {
  lossBudget: number;
  choice: number[];
  multipliers: string[];
  estimatedLoss: number;
  knapsackMs: number;
  multiplyPj: number;
  selectionAccuracy: number;
}
const ladder: Applied[] = [];
const tLadder = performance.now();
for (const lossBudget of settings.lossBudgetLadder) {
  const tk = performance.now();
  const sel = selectMultipliers(choices, lossBudget);
  const knapsackMs = performance.now() - tk;
  setAll(sel.choice.map((j, l) => choices[l].multipliers[j]));
  const seen = ladder.find((r) => r.choice.join() === sel.choice.join());
  ladder.push({
    lossBudget,
    choice: sel.choice,
    multipliers: sel.choice.map((j, l) => choices[l].multipliers[j].name),
    estimatedLoss: sel.loss,
    knapsackMs,
    multiplyPj: multiplyPj(),
    selectionAccuracy: seen?.selectionAccuracy ?? accuracyOn(selection.x, selection.labels),
  });
  const r = ladder[ladder.length - 1];
  log(
    `loss budget ${lossBudget}: ${r.multipliers.join(', ')}; energy -${(100 * (1 - r.multiplyPj / exact.multiplyPj)).toFixed(1)}%, selection-set accuracy ${(100 * r.selectionAccuracy).toFixed(2)}%`,
  );
}
/** The ladder: knapsack per loss budget + a selection-set accuracy check per distinct selection. */
const ladderSeconds = (performance.now() - tLadder) / 1000;
const famesSelectSeconds =
  countingSeconds + estimateSeconds + ladder.reduce((s, r) => s + r.knapsackMs, 0) / ladder.length / 1000;

interface BudgetResult {
  accuracyBudgetPoints: number;
  lossBudget: number | null;
  multipliers: string[];
  estimatedLoss: number | null;
  measuredCalibLossChange: number;
  multiplyPj: number;
  energySavingPercent: number;
  selectionAccuracyDropPoints: number;
  testAccuracy: number;
  testAccuracyDropPoints: number;
}
const budgets: BudgetResult[] = [];
const testAccuracyCache = new Map<string, number>([['exact', exact.testAccuracy]]);
for (const points of settings.accuracyBudgetsPoints) {
  // Accuracy budget -> loss budget: the largest ladder budget whose selection loses at most
  // `points` accuracy on the selection set (train-split images not used for calibration).
  const ok = ladder.filter((r) => 100 * (exact.selectionAccuracy - r.selectionAccuracy) <= points + 1e-9);
  const pick = ok.reduce<Applied | null>((b, r) => (b === null || r.multiplyPj < b.multiplyPj ? r : b), null);
  if (pick) setAll(pick.choice.map((j, l) => choices[l].multipliers[j]));
  else setAll([null, null, null, null]);
  const key = pick ? pick.choice.join() : 'exact';
  const testAccuracy = testAccuracyCache.get(key) ?? accuracyOn(test.images, test.labels);
  testAccuracyCache.set(key, testAccuracy);
  const e = pick ? pick.multiplyPj : exact.multiplyPj;
  budgets.push({
    accuracyBudgetPoints: points,
    lossBudget: pick?.lossBudget ?? null,
    multipliers: pick?.multipliers ?? appLayers.map(() => 'exact'),
    estimatedLoss: pick?.estimatedLoss ?? null,
    measuredCalibLossChange: lossNow() - exact.calibLoss,
    multiplyPj: e,
    energySavingPercent: 100 * (1 - e / exact.multiplyPj),
    selectionAccuracyDropPoints: pick ? 100 * (exact.selectionAccuracy - pick.selectionAccuracy) : 0,
    testAccuracy,
    testAccuracyDropPoints: 100 * (exact.testAccuracy - testAccuracy),
  });
  const b = budgets[budgets.length - 1];
  log(
    `accuracy budget ${points} point(s): loss budget ${b.lossBudget}, energy saving ${b.energySavingPercent.toFixed(1)}%, test accuracy ${(100 * testAccuracy).toFixed(2)}% (drop ${b.testAccuracyDropPoints.toFixed(2)} points)`,
  );
}

// ---- (b) estimate vs measured over every (layer, AppMul) pair -------------------------------------
setAll([null, null, null, null]);
const pairs: { layer: string; multiplier: string; estimated: number; firstOrder: number; measured: number }[] = [];
const tPairs = performance.now();
for (const c of counting) {
  for (const [i, m] of allCandidatesFor(c.layer)
    .filter((m) => !m.isExact())
    .entries()) {
    if (i % settings.pairStride !== 0) continue;
    setMultiplier(c.layer, m);
    const terms = estimateLossTerms(c.counting, m);
    pairs.push({
      layer: c.layer.name,
      multiplier: m.name,
      estimated: terms.firstOrder + terms.secondOrder,
      firstOrder: terms.firstOrder,
      measured: lossNow() - exact.calibLoss,
    });
    setMultiplier(c.layer, null);
  }
  log(`measured ${pairs.filter((p) => p.layer === c.layer.name).length} multipliers in ${c.layer.name}`);
}
const pairsSeconds = (performance.now() - tPairs) / 1000;
const rho = (ps: typeof pairs) =>
  spearman(
    ps.map((p) => p.estimated),
    ps.map((p) => p.measured),
  );
const spearmanAll = rho(pairs);
const spearmanFirstOrder = spearman(
  pairs.map((p) => p.firstOrder),
  pairs.map((p) => p.measured),
);
const spearmanFirstOrderByLayer = Object.fromEntries(
  appLayers.map((l) => [
    l.name,
    ((ps) =>
      spearman(
        ps.map((p) => p.firstOrder),
        ps.map((p) => p.measured),
      ))(pairs.filter((p) => p.layer === l.name)),
  ]),
);
const spearmanByLayer = Object.fromEntries(
  appLayers.map((l) => [l.name, rho(pairs.filter((p) => p.layer === l.name))]),
);
const admitted = new Set(appLayers.flatMap((l) => candidatesFor(l).map((m) => `${l.name}/${m.name}`)));
const admittedPairs = pairs.filter((p) => admitted.has(`${p.layer}/${p.multiplier}`));
const spearmanAdmitted = rho(admittedPairs);
log(
  `Spearman(estimated, measured) over ${pairs.length} pairs: ${spearmanAll.toFixed(3)}, first order only ${spearmanFirstOrder.toFixed(3)} (admitted ${admittedPairs.length}: ${spearmanAdmitted.toFixed(3)}); per layer ${JSON.stringify(spearmanByLayer, (_, v) => (typeof v === 'number' ? Number(v.toFixed(3)) : v))}`,
);

// ---- (c) GA on measured losses for the 1-point loss budget ---------------------------------------------
const gaBudget = budgets.find((b) => b.accuracyBudgetPoints === 1)?.lossBudget ?? settings.lossBudgetLadder[0];
const gaLayers = counting.map((c, l) => ({
  layer: c.layer,
  multipliers: choices[l].multipliers,
  multiplications: c.multiplications,
}));
const famesAtGaBudget = selectMultipliers(choices, gaBudget);
const ga = selectMultipliersGa(model, gaLayers, calib.x, calibLoss, gaBudget, {
  population: settings.gaPopulation,
  generations: settings.gaGenerations,
  seed: settings.seed,
});
const gaMultiplyPj = multiplyPj();
const gaTestAccuracy = accuracyOn(test.images, test.labels);
setAll(famesAtGaBudget.choice.map((j, l) => choices[l].multipliers[j]));
const famesMeasuredAtGaBudget = lossNow() - exact.calibLoss;
const famesMultiplyPjAtGaBudget = multiplyPj();
const gaResult = {
  lossBudget: gaBudget,
  population: settings.gaPopulation,
  generations: settings.gaGenerations,
  evaluations: ga.evaluations,
  seconds: ga.seconds,
  multipliers: ga.multipliers.map((m) => m.name),
  measuredCalibLossChange: ga.loss,
  feasible: ga.feasible,
  energySavingPercent: 100 * (1 - gaMultiplyPj / exact.multiplyPj),
  testAccuracy: gaTestAccuracy,
  famesEnergySavingPercent: 100 * (1 - famesMultiplyPjAtGaBudget / exact.multiplyPj),
  famesMeasuredCalibLossChange: famesMeasuredAtGaBudget,
  famesSeconds: famesSelectSeconds,
  speedup: ga.seconds / famesSelectSeconds,
  secondsPerEvaluation: ga.seconds / Math.max(1, ga.evaluations),
  famesInEvaluations: famesSelectSeconds / (ga.seconds / Math.max(1, ga.evaluations)),
};
log(
  `GA (${settings.gaPopulation} x ${settings.gaGenerations}): ${ga.evaluations} evaluations in ${ga.seconds.toFixed(1)} s, energy saving ${gaResult.energySavingPercent.toFixed(1)}% (FAMES ${gaResult.famesEnergySavingPercent.toFixed(1)}% in ${famesSelectSeconds.toFixed(2)} s): FAMES/GA speed ratio ${gaResult.speedup.toFixed(1)}x`,
);

// ---- (c2) the accuracy budget: GA on measured selection-set accuracy vs FAMES with its ladder -------
// The GA baseline as the FAMES paper compares against it: fitness = real accuracy. Constraint: the selection-set
// error rate rises by at most 1 point. FAMES's cost for the same accuracy budget includes the
// ladder (its selection-set accuracy checks), which converts the accuracy budget to a loss budget.
const selectionErrorRate = (yPred: tf.Tensor) =>
  tf.sub(1, tf.mean(tf.cast(tf.equal(tf.argMax(yPred, -1), selection.labels), 'float32'))) as tf.Scalar;
const gaAccuracy = selectMultipliersGa(model, gaLayers, selection.x, selectionErrorRate, 0.01, {
  population: settings.gaPopulation,
  generations: settings.gaGenerations,
  seed: settings.seed,
});
const gaAccuracyMultiplyPj = multiplyPj();
const gaAccuracyTest = accuracyOn(test.images, test.labels);
const famesAccuracySeconds = countingSeconds + estimateSeconds + ladderSeconds;
const famesOnePoint = budgets.find((b) => b.accuracyBudgetPoints === 1)!;
const gaAccuracyResult = {
  accuracyBudgetPoints: 1,
  evaluations: gaAccuracy.evaluations,
  seconds: gaAccuracy.seconds,
  secondsPerEvaluation: gaAccuracy.seconds / Math.max(1, gaAccuracy.evaluations),
  multipliers: gaAccuracy.multipliers.map((m) => m.name),
  selectionAccuracyDropPoints: 100 * gaAccuracy.loss,
  feasible: gaAccuracy.feasible,
  energySavingPercent: 100 * (1 - gaAccuracyMultiplyPj / exact.multiplyPj),
  testAccuracy: gaAccuracyTest,
  famesSeconds: famesAccuracySeconds,
  famesEnergySavingPercent: famesOnePoint.energySavingPercent,
  famesTestAccuracy: famesOnePoint.testAccuracy,
  speedup: gaAccuracy.seconds / famesAccuracySeconds,
};
log(
  `GA on accuracy (1 point): ${gaAccuracy.evaluations} evaluations in ${gaAccuracy.seconds.toFixed(1)} s, energy saving ${gaAccuracyResult.energySavingPercent.toFixed(1)}% (FAMES with its ladder ${famesOnePoint.energySavingPercent.toFixed(1)}% in ${famesAccuracySeconds.toFixed(2)} s): ratio ${gaAccuracyResult.speedup.toFixed(1)}x`,
);

// ---- report ------------------------------------------------------------------------------------
const totalSeconds = (performance.now() - t0) / 1000;
const result = {
  command: `npm run start -w examples/fames${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  date: new Date().toISOString(),
  settings,
  backend: { training: trainBackend, simulation: simulationBackend, reason: backendChoice.reason },
  machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(1)) },
  trainSeconds,
  totalSeconds,
  exact,
  fames: { countingSeconds, estimateSeconds, selectSeconds: famesSelectSeconds, ladder, budgets },
  spearman: {
    all: spearmanAll,
    firstOrderOnly: spearmanFirstOrder,
    firstOrderOnlyByLayer: spearmanFirstOrderByLayer,
    admitted: spearmanAdmitted,
    admittedPairs: admittedPairs.length,
    byLayer: spearmanByLayer,
    pairs: pairs.length,
    measureSeconds: pairsSeconds,
    list: pairs,
  },
  ga: gaResult,
  gaAccuracy: gaAccuracyResult,
  famesLadderSeconds: ladderSeconds,
};
const fmt = (v: number, d = 2) => v.toFixed(d);
const md = `# FAMES on Fashion-MNIST: multiplier selection without retraining

Produced by \`${result.command}\` (examples/fames/src/main.ts) on ${result.date.slice(0, 10)}; training on
the ${trainBackend} backend (${backendChoice.reason}), AppMul simulation and counting on ${simulationBackend}; ${result.machine.cpus} cores shared with
other jobs (1-min load average ${result.machine.loadAverage1m} at the end); total ${fmt(totalSeconds / 60, 1)} min.${quick ? '\n\n**Quick (smoke) run: tiny subsets, numbers are noisy.**' : ''}

## Setup

- Net: ${settings.model}. Weights: uniform symmetric per-channel; activations: unsigned uniform,
  EMA range (quant-core \`LowbitUniformQuantizer\`). Every layer is an \`appMulConv2d\` / \`appMulDense\` (quant-core layer with the AppMul arithmetic).
- Trained with exact products (\`model.fit\`, Adam 2e-3, batch ${settings.batchSize}, ${settings.epochs} epoch(s)) on the first
  ${settings.trainSamples} images of the train split (datasets' seeded order); ${fmt(trainSeconds, 0)} s. Never retrained.
- Calibration (counting matrices, GA fitness, loss budgets): the next ${settings.calibrationSamples} train-split images.
  Selection set (accuracy budget -> loss budget): the next ${settings.selectionSamples}. Test: the first ${settings.testSamples} test images.
- Candidates: 8-bit layers (a8u x w8s) use the ${evo.length} EvoApproxLib mul8u tables, made signed-weight by
  sign-magnitude (\`M(a, w) = sign(w) mul8u(a, |w|)\`; published energy, sign handling not priced);
  the 3-4 bit layers use the behavioural library (\`appMulLibrary\`, gate-count energy proxy).
  Selection (FAMES and GA) searches the designs with MAE <= ${settings.maxMaePercent}% of the product range (plus exact):
  ${appLayers.map((l) => `${l.name} ${candidatesFor(l).length}`).join(', ')} candidates; the Spearman check covers every design.
- Multiplier energy: hw-model \`summary(model)\` multiply energy per inference (MACs x each layer's
  multiplier energy; exact layers at hw-model's integer-multiplier energy).
- Estimate: first-order term \`sum G E\` plus our second-order term \`1/2 sum_b (G_b . E)^2 / lambda\`
  (per-sample counting matrices, empirical-Fisher curvature; \`estimateLossTerms\`).
- Accuracy budget -> loss budget: FAMES selects on the estimated calibration loss
  change (negative estimates clamped to 0, so the knapsack cannot spend a predicted gain on other
  layers); for each loss budget in [${settings.lossBudgetLadder.join(', ')}] the selection is applied and its
  accuracy measured on the selection set; an accuracy budget takes the lowest-energy selection whose
  selection-set drop is within it. The test set is only used for the reported figures.

## Exact multipliers

Test accuracy ${fmt(100 * exact.testAccuracy)}%, calibration loss ${fmt(exact.calibLoss, 4)}, multiplier energy ${fmt(exact.multiplyPj, 0)} pJ / inference.

## (a) FAMES selection at accuracy budgets

| accuracy budget | loss budget | multipliers (conv1, conv2, fc1, logits) | multiplier energy saving | test accuracy | test accuracy loss |
|---|---|---|---|---|---|
${budgets.map((b) => `| ${b.accuracyBudgetPoints} point | ${b.lossBudget ?? 'none met'} | ${b.multipliers.join(', ')} | ${fmt(b.energySavingPercent, 1)}% | ${fmt(100 * b.testAccuracy)}% | ${fmt(b.testAccuracyDropPoints)} points |`).join('\n')}

Loss-budget ladder (selection set):

| loss budget | estimated loss change | multipliers | energy saving | selection-set accuracy |
|---|---|---|---|---|
${ladder.map((r) => `| ${r.lossBudget} | ${r.estimatedLoss.toExponential(2)} | ${r.multipliers.join(', ')} | ${fmt(100 * (1 - r.multiplyPj / exact.multiplyPj), 1)}% | ${fmt(100 * r.selectionAccuracy)}% |`).join('\n')}

## (b) Estimated vs measured loss change

Over ${settings.pairStride === 1 ? 'all' : `every ${settings.pairStride}rd of the`} ${pairs.length} (layer, approximate multiplier) pairs (one layer's multiplier set, others exact, calibration
loss measured; every library design, admitted or not): Spearman ${fmt(spearmanAll, 3)} with the second-order estimate,
${fmt(spearmanFirstOrder, 3)} with the first-order term alone; over the ${admittedPairs.length} admitted
designs (MAE <= ${settings.maxMaePercent}%) ${fmt(spearmanAdmitted, 3)}. Per layer (all designs), second order: ${Object.entries(
  spearmanByLayer,
)
  .map(([k, v]) => `${k} ${fmt(v, 3)}`)
  .join(', ')};
first order: ${Object.entries(spearmanFirstOrderByLayer)
  .map(([k, v]) => `${k} ${fmt(v, 3)}`)
  .join(', ')}.
(Measuring them took ${fmt(pairsSeconds, 0)} s; the estimates ${fmt(estimateSeconds * 1000, 0)} ms.)

## (c) Selection time: FAMES vs GA

Loss budget ${gaBudget} (the 1-point budget's). FAMES: counting matrices ${fmt(countingSeconds)} s + estimates
${fmt(estimateSeconds * 1000, 0)} ms + knapsack = ${fmt(famesSelectSeconds)} s, energy saving ${fmt(gaResult.famesEnergySavingPercent, 1)}%, measured loss change
${gaResult.famesMeasuredCalibLossChange.toExponential(2)}. GA (\`selectMultipliersGa\`, population ${settings.gaPopulation}, ${settings.gaGenerations} generations, seed ${settings.seed},
fitness = measured calibration loss change): ${ga.evaluations} evaluations in ${fmt(ga.seconds, 1)} s, energy saving ${fmt(gaResult.energySavingPercent, 1)}%,
measured loss change ${ga.loss.toExponential(2)} (${ga.feasible ? 'feasible' : 'infeasible'}), test accuracy ${fmt(100 * gaTestAccuracy)}%.
**GA time / FAMES time = ${fmt(gaResult.speedup, 1)}.** One GA evaluation (the calibration batch through the AppMul layers)
took ${fmt(gaResult.secondsPerEvaluation, 3)} s on average, so the whole FAMES selection costs as much as ${fmt(gaResult.famesInEvaluations, 1)} evaluations:
the ratio grows linearly with the GA's evaluation count (300x needs a GA of about ${fmt(300 * gaResult.famesInEvaluations, 0)} distinct evaluations). (The ladder's selection-set accuracy checks,
which convert accuracy to loss budgets, are not counted for FAMES; the GA does not need them for a given loss budget either.)

### Accuracy budget, GA on real accuracy

Accuracy budget 1 point. GA (same settings) with fitness = measured selection-set accuracy (${settings.selectionSamples} images per
evaluation; constraint: at most 1 point below exact): ${gaAccuracy.evaluations} evaluations in ${fmt(gaAccuracy.seconds, 1)} s (${fmt(gaAccuracyResult.secondsPerEvaluation, 2)} s each),
${gaAccuracyResult.multipliers.join(', ')}, energy saving ${fmt(gaAccuracyResult.energySavingPercent, 1)}%, selection-set drop ${fmt(gaAccuracyResult.selectionAccuracyDropPoints)} points
(${gaAccuracy.feasible ? 'feasible' : 'infeasible'}), test accuracy ${fmt(100 * gaAccuracyTest)}%. FAMES for the same budget, counting
matrices + estimates + the ladder's ${settings.lossBudgetLadder.length} knapsacks and selection-set checks (${fmt(ladderSeconds, 1)} s): ${fmt(famesAccuracySeconds, 2)} s,
energy saving ${fmt(famesOnePoint.energySavingPercent, 1)}%, test accuracy ${fmt(100 * famesOnePoint.testAccuracy)}%.
**GA time / FAMES time = ${fmt(gaAccuracyResult.speedup, 1)}.**

## Against the paper's claims

| claim (FAMES paper) | here |
|---|---|
| >= 25% multiplier-energy saving at < 1 point accuracy loss | ${fmt(budgets[budgets.length - 1].energySavingPercent, 1)}% at ${fmt(budgets[budgets.length - 1].testAccuracyDropPoints)} points (test) |
| Spearman(estimate, measured) > 0.7 | ${fmt(spearmanAll, 3)} (all designs; first order alone ${fmt(spearmanFirstOrder, 3)}), ${fmt(spearmanAdmitted, 3)} (admitted) |
| selection >= 300x faster than a GA | ${fmt(gaResult.speedup, 1)}x at a loss budget (GA ${settings.gaPopulation} x ${settings.gaGenerations}, ${ga.evaluations} evaluations); ${fmt(gaAccuracyResult.speedup, 1)}x at the 1-point accuracy budget (GA on real accuracy, ${gaAccuracy.evaluations} evaluations) |
`;
const outDir = join(repoRoot, 'docs/results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `${stem}.json`), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(outDir, `${stem}.md`), md);
log(`wrote docs/results/${stem}.md and .json`);
