/**
 * WRPN on Fashion-MNIST as a controlled experiment: {fp32, w8a8, w4a4, w2a2} x width {1x, 2x}
 * (3x with `--widths 1,2,3`), every arm at 3 seeds with the same budget (full training split,
 * seeded data order, Adam with a step schedule), tested on the full 10,000-image test split;
 * claims decided by a paired bootstrap over test images and seeds (`@lowbit/experiment-kit`).
 *
 *   npm run start -w examples/wrpn              # default: writes docs/results/wrpn.md + .json
 *   npm run start -w examples/wrpn -- --quick   # smoke run, writes docs/results/wrpn-quick.*
 *
 * With `--jobs N` (default 2) the arms are trained by N worker processes (one wasm thread each),
 * which take the next unclaimed arm in seed-major order. Finished arms are kept under
 * reports/wrpn-arms/<settings hash>/, so the same command run again resumes (`--fresh` retrains);
 * `--report-only` writes the page from the finished arms without training.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadFashionMnist } from '@lowbit/datasets';
import { selectBackend } from '@lowbit/training-kernels';
import { armList, armPath, armsFolder, claimPath, readArm, trainArm, writeArm, type ArmResult } from './arms.js';
import { parseSettings, type GridSettings } from './settings.js';
import { writeReport } from './report.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const WORKER_ENV = 'LOWBIT_WRPN_WORKER';
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Trains every unfinished, unclaimed arm, in order; several processes can run this on one folder. */
async function work(s: GridSettings, folder: string, tag: string, threads: number | 'auto'): Promise<string> {
  tf.enableProdMode();
  const { backend, reason } = await selectBackend({ log: false, threads });
  log(`${tag}backend ${backend} (${reason.split(';')[0]})`);
  const train = await loadFashionMnist({ split: 'train', ...(s.train ? { limit: s.train } : {}) });
  const test = await loadFashionMnist({ split: 'test', ...(s.test ? { limit: s.test } : {}) });
  const data = {
    x: train.images,
    y: tf.cast(tf.oneHot(train.labels, 10), 'float32') as tf.Tensor2D,
    testX: test.images,
    testLabels: Int32Array.from(test.labels.dataSync()),
  };
  try {
    for (const arm of armList(s)) {
      if (readArm(folder, arm)) continue;
      let fd: number;
      try {
        fd = openSync(claimPath(folder, arm), 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // another worker has it
        throw e;
      }
      closeSync(fd);
      log(`${tag}${arm.id}: ${arm.epochs} epoch(s) on ${train.count} images`);
      const result = await trainArm(s, arm, data, (row) =>
        log(
          `${tag}${arm.id} epoch ${row.epoch}: lr ${row.learningRate.toPrecision(2)}, loss ${row.loss.toFixed(4)}${row.testAccuracy === undefined ? '' : `, test ${(100 * row.testAccuracy).toFixed(2)}%`} (${row.seconds.toFixed(0)} s)`,
        ),
      );
      writeArm(folder, result);
      if (existsSync(claimPath(folder, arm))) unlinkSync(claimPath(folder, arm));
      else log(`${tag}${arm.id}: its claim file was removed while training (another run of this command?)`);
      log(
        `${tag}${arm.id}: ${(100 * result.accuracy).toFixed(2)}%, ${result.trainSeconds.toFixed(0)} s wall, ${result.cpuSeconds.toFixed(0)} s CPU (tensors ${tf.memory().numTensors})`,
      );
    }
  } finally {
    tf.dispose([train.images, train.labels, test.images, test.labels, data.y]);
  }
  return backend;
}

function runWorker(index: number, argv: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...argv], {
      env: { ...process.env, [WORKER_ENV]: String(index) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`worker ${index} exited with code ${code}`))));
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const reportOnly = argv.includes('--report-only');
  const s = parseSettings(argv.filter((a) => a !== '--report-only'));
  const folder = armsFolder(repoRoot, s);
  const worker = process.env[WORKER_ENV];
  if (worker !== undefined) {
    await work(s, folder, `w${worker} `, 1);
    return;
  }
  const arms = armList(s);
  const started = new Date();
  let backend = 'wasm SIMD with @lowbit/training-kernels';
  if (!reportOnly) {
    if (s.fresh) for (const arm of arms) if (existsSync(armPath(folder, arm))) unlinkSync(armPath(folder, arm));
    // Claims left by a stopped run: nobody is training those arms now.
    if (existsSync(folder))
      for (const f of readdirSync(folder)) if (f.endsWith('.claim')) unlinkSync(resolve(folder, f));
    mkdirSync(folder, { recursive: true });
    const todo = arms.filter((a) => !readArm(folder, a)).length;
    log(`${arms.length} arms, ${arms.length - todo} already finished in ${folder}; ${s.jobs} worker(s)`);
    if (s.jobs === 1) backend = `${await work(s, folder, '', 'auto')} (1 process)`;
    else {
      await Promise.all(Array.from({ length: s.jobs }, (_, i) => runWorker(i, argv)));
      backend = `wasm SIMD with @lowbit/training-kernels, ${s.jobs} worker processes of 1 thread`;
    }
  }
  const results: ArmResult[] = [];
  const missing: string[] = [];
  for (const arm of arms) {
    const r = readArm(folder, arm);
    if (r) results.push(r);
    else missing.push(arm.id);
  }
  if (missing.length > 0) throw new Error(`arms not finished (run without --report-only): ${missing.join(', ')}`);
  const trainArgs = argv.filter((a) => a !== '--report-only');
  let run = {
    command: `npm run start -w examples/wrpn${trainArgs.length > 0 ? ` -- ${trainArgs.join(' ')}` : ''}`,
    backend,
    startedAt: started,
    seconds: (Date.now() - started.getTime()) / 1000,
  };
  const out = resolve(repoRoot, s.out);
  // --report-only re-renders a page: keep the training run's command, start and wall time when the
  // page there came from the same settings.
  if (reportOnly && existsSync(`${out}.json`)) {
    const previous = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as {
      command: string;
      backend: string;
      startedAt: string;
      seconds: number;
      settings: GridSettings;
    };
    if (JSON.stringify(previous.settings) === JSON.stringify(s)) {
      run = { ...previous, startedAt: new Date(previous.startedAt) };
    }
  }
  writeReport(out, { settings: s, results, ...run });
  const { seconds } = run;
  log(`wrote ${out}.md and ${out}.json (${(seconds / 60).toFixed(1)} min)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
