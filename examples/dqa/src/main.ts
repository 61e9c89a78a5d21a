/**
 * DQA (Hu, Henderson, Cano, arXiv 2412.09687) as a controlled experiment on Fashion-MNIST.
 *
 * For each seed a float LeNet-5 is trained to a plateau (full training split, Adam, cosine
 * schedule, seeded data order); then, post-training, the activations after every ReLU are
 * quantized at N = 3, 4, 5 bits by: direct signed N-bit (the paper's baseline), direct unsigned
 * N-bit, DQA (m = 3 extra bits on r = 0.5 of each layer's channels, ranked by leave-one-out on a
 * calibration slice of the training split), DQA with random channels (5 draws), NoisyQuant-style
 * fixed noise, and direct signed quantization at the bit count that matches DQA's measured storage
 * (bits per activation of the real encoded stream, Huffman-coded shift errors included). Every
 * arm is scored on the full 10,000-image test set; the claims get paired bootstrap intervals
 * over test images and seeds, and their verdicts are computed. Writes docs/results/dqa.{md,json}.
 *
 *   npm run start -w examples/dqa               # the experiment
 *   npm run start -w examples/dqa -- --quick    # smoke run (docs/results/dqa-quick.*)
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadFashionMnist } from '@lowbit/datasets';
import {
  buildDqaModel,
  calibrateDqa,
  dqaStorageReport,
  storageTotal,
  type DqaCalibration,
  type StorageRow,
} from '@lowbit/dqa-activations';
import {
  accuracyOf,
  claim,
  concatSeeds,
  correctness,
  formatSpread,
  mdTable,
  spread,
  writeResult,
  type Claim,
  type CurveRow,
} from '@lowbit/experiment-kit';
import { selectBackend } from '@lowbit/training-kernels';
import { directCalibration, noisyForward, randomCalibration, unsignedForward } from './arms.js';
import { LENET5, lenet5, predictor, trainFloat } from './lenet.js';
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
log(`data: ${train.count} train, ${test.count} test, ${calib.count} calibration images (training split)`);

type ArmName = 'float' | 'direct' | 'unsigned' | 'dqa' | 'noisy' | 'matched' | `random${number}`;
interface SeedResult {
  seed: number;
  curve: CurveRow[];
  trainSeconds: number;
  /** Per-image correctness, keyed `${arm}@${N}` (float: 'float'). */
  correct: Map<string, Uint8Array>;
  /** Bits per activation of the encoded stream (calibration images), per N: direct, DQA, matched bit count. */
  storage: Array<{ bits: number; direct: StorageRow; dqa: StorageRow; matchedBits: number; matched: StorageRow }>;
  rankingSeconds: Record<number, number>;
  scores: Record<number, Array<{ layer: string; channels: number; important: number[]; scores: number[] }>>;
}

const results: SeedResult[] = [];
for (const seed of settings.seeds) {
  const model = lenet5(seed);
  const trainStart = performance.now();
  const curve = await trainFloat(model, train, { images: test.images, labels: testLabels }, settings, seed, log);
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const correct = new Map<string, Uint8Array>();
  correct.set('float', correctness(predictor(model), test.images, testLabels));
  log(
    `seed ${seed}: float ${(100 * accuracyOf(correct.get('float')!)).toFixed(2)}% after ${trainSeconds.toFixed(0)} s`,
  );
  const res: SeedResult = { seed, curve, trainSeconds, correct, storage: [], rankingSeconds: {}, scores: {} };

  const directCache = new Map<number, { right: Uint8Array; storage: StorageRow }>();
  const scorePackaged = async (cal: DqaCalibration, withStorage: boolean) => {
    const q = await buildDqaModel(model, cal);
    const right = correctness(predictor(q), test.images, testLabels);
    const storage = withStorage ? storageTotal(dqaStorageReport(q, calib.images)) : null;
    q.dispose();
    return { right, storage };
  };
  const direct = async (cal: DqaCalibration, bits: number) => {
    if (!directCache.has(bits)) {
      const r = await scorePackaged(directCalibration(cal, bits), true);
      directCache.set(bits, { right: r.right, storage: r.storage! });
    }
    return directCache.get(bits)!;
  };

  for (const N of settings.bits) {
    const rankStart = performance.now();
    const cal = calibrateDqa(
      model,
      { x: calib.images, y: calib.labels },
      {
        bits: N,
        extraBits: settings.extraBits,
        importantFraction: settings.importantFraction,
        batchSize: settings.calibrationImages,
      },
    );
    res.rankingSeconds[N] = (performance.now() - rankStart) / 1000;
    res.scores[N] = cal.layers.map((l) => ({
      layer: l.layerName,
      channels: l.channels,
      important: l.important,
      scores: l.scores,
    }));
    const at = (arm: ArmName, right: Uint8Array) => {
      correct.set(`${arm}@${N}`, right);
      return `${arm} ${(100 * accuracyOf(right)).toFixed(2)}%`;
    };
    const d = await direct(cal, N);
    const q = await scorePackaged(cal, true);
    const parts = [at('direct', d.right), at('dqa', q.right)];
    parts.push(at('unsigned', correctness(unsignedForward(model, cal), test.images, testLabels)));
    const noisy = noisyForward(model, cal, seed * 1000 + N);
    parts.push(at('noisy', correctness(noisy.forward, test.images, testLabels)));
    noisy.dispose();
    for (let k = 0; k < settings.randomDraws; k++) {
      const r = await scorePackaged(randomCalibration(cal, seed * 1000 + N * 10 + k), false);
      parts.push(at(`random${k}`, r.right));
    }
    // Direct signed at the integer bit count nearest to DQA's measured bits per activation.
    const matchedBits = Math.min(8, Math.max(2, Math.round(q.storage!.bitsPerActivation)));
    const m = await direct(cal, matchedBits);
    parts.push(at('matched', m.right));
    res.storage.push({ bits: N, direct: d.storage, dqa: q.storage!, matchedBits, matched: m.storage });
    log(
      `seed ${seed} N=${N} (ranking ${res.rankingSeconds[N].toFixed(0)} s; DQA ${q.storage!.bitsPerActivation.toFixed(2)} ` +
        `bits/activation, matched direct ${matchedBits}-bit): ${parts.join(', ')}`,
    );
  }
  results.push(res);
  model.dispose();
}

// ---- Statistics and page ----
const S = settings.seeds.length;
const vec = (key: string) => concatSeeds(results.map((r) => r.correct.get(key)!));
const accs = (key: string) => results.map((r) => 100 * accuracyOf(r.correct.get(key)!));
const fmt = (key: string) => formatSpread(spread(accs(key)));
const randomKeys = (N: number) => Array.from({ length: settings.randomDraws }, (_, k) => `random${k}@${N}`);
const boot = { resamples: settings.resamples, seeds: S };
const claims: Claim[] = [];
for (const N of settings.bits) {
  const matchedBits = [...new Set(results.map((r) => r.storage.find((s) => s.bits === N)!.matchedBits))].join('/');
  claims.push(
    claim(`DQA > direct signed at N = ${N}`, {
      vectors: [vec(`dqa@${N}`), vec(`direct@${N}`)],
      statistic: ([a, b]) => a - b,
      describe: 'accuracy(DQA) - accuracy(direct signed N-bit), points',
      ...boot,
    }),
    claim(`leave-one-out ranking > random channels at N = ${N}`, {
      vectors: [vec(`dqa@${N}`), ...randomKeys(N).map(vec)],
      statistic: ([a, ...r]) => a - r.reduce((s, v) => s + v, 0) / r.length,
      describe: `accuracy(DQA, ranked) - mean accuracy(DQA, ${settings.randomDraws} random channel draws), points`,
      ...boot,
    }),
    claim(`DQA >= direct at equal storage at N = ${N} (direct ${matchedBits}-bit)`, {
      vectors: [vec(`dqa@${N}`), vec(`matched@${N}`)],
      statistic: ([a, b]) => a - b,
      describe: `accuracy(DQA) - accuracy(direct signed at the bit count nearest DQA's bits/activation), points; non-inferiority margin ${settings.storageMargin}`,
      threshold: -settings.storageMargin,
      ...boot,
    }),
    claim(`DQA > direct unsigned at N = ${N} (control)`, {
      vectors: [vec(`dqa@${N}`), vec(`unsigned@${N}`)],
      statistic: ([a, b]) => a - b,
      describe: 'accuracy(DQA) - accuracy(direct unsigned N-bit), points',
      ...boot,
    }),
    claim(`DQA > NoisyQuant-style fixed noise at N = ${N} (control)`, {
      vectors: [vec(`dqa@${N}`), vec(`noisy@${N}`)],
      statistic: ([a, b]) => a - b,
      describe: 'accuracy(DQA) - accuracy(fixed noise + direct signed N-bit), points',
      ...boot,
    }),
  );
}

const pct = (v: number) => v.toFixed(2);
const armRows: Array<[string, (N: number) => string]> = [
  ['direct signed N-bit (paper)', (N) => fmt(`direct@${N}`)],
  ['direct unsigned N-bit', (N) => fmt(`unsigned@${N}`)],
  ['NoisyQuant-style noise + direct signed', (N) => fmt(`noisy@${N}`)],
  [
    `DQA, random channels (${settings.randomDraws} draws: mean of draws)`,
    (N) => formatSpread(spread(results.map((_, s) => mean(randomKeys(N).map((k) => accs(k)[s]))))),
  ],
  ['DQA, leave-one-out ranking', (N) => fmt(`dqa@${N}`)],
  [
    'direct signed at DQA-matched bits',
    (N) =>
      `${fmt(`matched@${N}`)} (${results.map((r) => r.storage.find((s) => s.bits === N)!.matchedBits).join('/')}-bit)`,
  ],
];
function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
const accuracyTable = mdTable(
  ['arm', ...settings.bits.map((N) => `N = ${N}`)],
  armRows.map(([name, f]) => [name, ...settings.bits.map(f)]),
);
const floatSpread = spread(accs('float'));
const storageTable = mdTable(
  [
    'N',
    'direct N-bit: bits/act',
    'DQA: bits/act',
    'DQA: error bits/symbol',
    'error entropy',
    'matched direct bits',
    'matched: bits/act',
  ],
  settings.bits.map((N) => {
    const rows = results.map((r) => r.storage.find((s) => s.bits === N)!);
    const m = (f: (s: (typeof rows)[number]) => number | null) => formatSpread(spread(rows.map((s) => f(s) ?? NaN)), 3);
    return [
      N,
      m((s) => s.direct.bitsPerActivation),
      m((s) => s.dqa.bitsPerActivation),
      m((s) => s.dqa.errorBitsPerSymbol),
      m((s) => s.dqa.errorEntropy),
      rows.map((s) => s.matchedBits).join('/'),
      m((s) => s.matched.bitsPerActivation),
    ];
  }),
);
const perSeedTable = mdTable(
  [
    'seed',
    'float',
    ...settings.bits.flatMap((N) => [
      `direct ${N}`,
      `unsigned ${N}`,
      `noisy ${N}`,
      `random ${N} (min..max)`,
      `DQA ${N}`,
      `matched ${N}`,
    ]),
  ],
  results.map((r, s) => [
    r.seed,
    pct(accs('float')[s]),
    ...settings.bits.flatMap((N) => {
      const rnd = randomKeys(N).map((k) => accs(k)[s]);
      return [
        pct(accs(`direct@${N}`)[s]),
        pct(accs(`unsigned@${N}`)[s]),
        pct(accs(`noisy@${N}`)[s]),
        `${pct(Math.min(...rnd))}..${pct(Math.max(...rnd))}`,
        pct(accs(`dqa@${N}`)[s]),
        pct(accs(`matched@${N}`)[s]),
      ];
    }),
  ]),
);
const curveTable = mdTable(
  ['epoch', 'learning rate', ...results.flatMap((r) => [`seed ${r.seed} loss`, `seed ${r.seed} test %`])],
  results[0].curve.map((row, e) => [
    row.epoch,
    row.learningRate.toExponential(2),
    ...results.flatMap((r) => [r.curve[e].loss.toFixed(4), pct(100 * (r.curve[e].testAccuracy ?? NaN))]),
  ]),
);
const totalSeconds = seconds();
const command = `npm run start -w examples/dqa${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const root = resolve(new URL('../../../', import.meta.url).pathname);
const out = settings.out.startsWith('/') ? settings.out : join(root, settings.out);
writeResult(out, {
  title: `DQA: controlled post-training comparison${settings.quick ? ' (quick smoke run)' : ''}`,
  command,
  settings,
  backend,
  startedAt,
  seconds: totalSeconds,
  intro:
    `${S} float ${LENET5} nets (seeds ${settings.seeds.join(', ')}), each trained on ${train.count} Fashion-MNIST ` +
    `training images for ${settings.epochs} epochs (Adam, batch ${settings.batchSize}, cosine learning rate ` +
    `${settings.learningRate} to ${settings.minLearningRate}, seeded data order), float test accuracy ` +
    `${formatSpread(floatSpread)}%. Post-training, every arm quantizes the outputs of conv1, conv2, fc1 and fc2 ` +
    `(after ReLU) with per-channel steps from max|A| on ${calib.count} calibration images of the training split; ` +
    `DQA keeps m = ${settings.extraBits} extra bits on r = ${settings.importantFraction} of each layer's channels. ` +
    `Accuracies are on ${test.count} test images, mean ± sd over the ${S} nets. "Equal storage": DQA's bits per ` +
    `activation are measured from the real encoded stream (header, scales, N-bit codes, Huffman tables and ` +
    `shift-error bitstream, CRC) of the calibration images' activations; the matched arm is direct signed ` +
    `quantization at the nearest integer bit count. NoisyQuant-style: a fixed per-channel noise ` +
    `U(-delta/2, delta/2) added before the direct signed N-bit quantizer and subtracted after.`,
  sections: [
    {
      heading: 'Accuracy (%, mean ± sd over seeds)',
      markdown: `float: ${formatSpread(floatSpread)}\n\n${accuracyTable}`,
    },
    {
      heading: 'Storage (bits per activation, whole net, calibration images)',
      markdown:
        "From `dqaStorageReport` (the codec's encoded size). The direct N-bit row is the same format with no important channels; direct unsigned N-bit stores the same N-bit codes and scales, so it costs the same as direct signed N-bit.\n\n" +
        storageTable,
    },
    { heading: 'Per seed (%)', markdown: perSeedTable },
    {
      heading: 'Float training curve (test accuracy after each epoch, for the record; no selection on it)',
      markdown:
        curveTable + `\n\nTraining time per net: ${results.map((r) => `${r.trainSeconds.toFixed(0)} s`).join(', ')}.`,
    },
    {
      heading: 'Run time',
      markdown: `Total ${(totalSeconds / 60).toFixed(1)} min; leave-one-out ranking per net and N: ${results
        .flatMap((r) => settings.bits.map((N) => `${r.rankingSeconds[N].toFixed(0)} s`))
        .join(', ')}.`,
    },
  ],
  claims,
  data: {
    model: LENET5,
    trainImages: train.count,
    testImages: test.count,
    calibrationImages: calib.count,
    seeds: results.map((r) => ({
      seed: r.seed,
      curve: r.curve,
      trainSeconds: r.trainSeconds,
      accuracy: Object.fromEntries([...r.correct].map(([k, v]) => [k, accuracyOf(v)])),
      storage: r.storage,
      rankingSeconds: r.rankingSeconds,
      channelScores: r.scores,
    })),
  },
});
log(`wrote ${out}.md and .json in ${(totalSeconds / 60).toFixed(1)} min`);
