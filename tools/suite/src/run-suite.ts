/**
 * Runs the suite: loads the data, picks the backend, trains/calibrates every requested technique,
 * costs each model with hw-model, prints the comparison table, and writes `index.html` and
 * `summary.json` into the output folder.
 *
 * ```ts
 * const { summary, dir } = await runSuite(parseSuiteArgs(['--quick']));
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SeededRng, shuffledIndices } from '@lowbit/quant-core';
import { loadFashionMnist, loadMnist, type LabeledImages } from '@lowbit/datasets';
import { selectBackend } from '@lowbit/training-kernels';
import type { SuiteOptions, TechniqueId } from './options.js';
import { createProgress, type Progress } from './progress.js';
import { SUITE_SIZES } from './nets.js';
import { TECHNIQUES, type SuiteContext, type SuiteData, type TechniqueResult } from './techniques.js';
import { techniqueRow, type SuiteSummary } from './suite-summary.js';
import { formatTable, summaryMarkdown } from './table.js';
import { renderCharts } from './report/charts.js';
import { reportHtml } from './report/html.js';

/** A problem with the run's settings that the user can fix (printed without a stack trace). */
export class SuiteError extends Error {
  override name = 'SuiteError';
}

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export interface RunSuiteHooks {
  /** Progress reporter (default: bars or plain lines per `options.progressBars`). */
  progress?: Progress;
  /** Where the final table and messages go (default console.log). */
  print?: (text: string) => void;
  /** The command line to record in the report. */
  command?: string;
}

/** A folder name from a date: 2026-11-21T23-59-01. */
export function timestampFolder(d = new Date()): string {
  return d.toISOString().slice(0, 19).replace(/:/g, '-');
}

async function loadSplit(o: SuiteOptions, split: 'train' | 'test', limit: number): Promise<LabeledImages> {
  return o.dataset === 'mnist' ? loadMnist({ split, limit }) : loadFashionMnist({ split, limit });
}

/** The same images in a seeded random order (the loaders return a stratified, class-grouped subset). */
function shuffled(d: LabeledImages, seed: number): LabeledImages {
  const perm = tf.tensor1d(shuffledIndices(d.count, new SeededRng(seed)), 'int32');
  const out = {
    ...d,
    images: tf.gather(d.images, perm) as tf.Tensor4D,
    labels: tf.gather(d.labels, perm) as tf.Tensor1D,
  };
  tf.dispose([perm, d.images, d.labels]);
  return out;
}

export async function runSuite(
  options: SuiteOptions,
  hooks: RunSuiteHooks = {},
): Promise<{ summary: SuiteSummary; dir: string }> {
  const print = hooks.print ?? ((t: string) => console.log(t));
  const progress = hooks.progress ?? createProgress({ bars: options.progressBars });
  const started = performance.now();
  tf.enableProdMode();
  const backend = await selectBackend(options.backend ? { prefer: options.backend, log: false } : { log: false });
  if (options.backend && backend.backend !== options.backend) {
    // An explicit --backend is a request, not a preference: say why it cannot be honoured.
    const attempt = backend.attempts.find((a) => a.backend === options.backend);
    throw new SuiteError(
      `--backend ${options.backend} is not available: ${attempt?.reason ?? 'not tried'}. Leave --backend out to use the fastest available one (${backend.backend} here).`,
    );
  }
  progress.log(`backend ${backend.backend}: ${backend.reason}`);

  const train = shuffled(await loadSplit(options, 'train', options.trainSamples), options.seed);
  const test = await loadSplit(options, 'test', options.testSamples);
  const calib = await loadSplit(options, 'train', Math.min(options.calibrationSamples, 60_000));
  const data: SuiteData = { train, test, calib };
  progress.log(
    `${options.dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST'}: ${train.count} train, ${test.count} test, ${calib.count} calibration images; ${options.epochs} epoch(s)`,
  );

  const ctx: SuiteContext = {
    data,
    sizes: SUITE_SIZES,
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    progress,
    results: new Map(),
  };
  const skipped: SuiteSummary['skipped'] = [];
  const results: TechniqueResult[] = [];
  try {
    for (const id of options.techniques) {
      const technique = TECHNIQUES[id];
      try {
        const result = await technique.run(ctx);
        ctx.results.set(id, result);
        results.push(result);
        progress.log(`${id}: test accuracy ${(100 * result.accuracy).toFixed(2)}% (${result.seconds.toFixed(1)} s)`);
      } catch (e) {
        // One technique failing (a package still in progress) must not lose the others' results.
        const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        skipped.push({ id, reason });
        progress.log(`${id}: FAILED, left out of the report: ${reason}`);
      }
    }
    const rows = results.map(techniqueRow);
    const summary: SuiteSummary = {
      tool: '@lowbit/suite',
      date: new Date().toISOString(),
      command: hooks.command ?? 'npm start --',
      dataset: options.dataset,
      backend: { name: backend.backend, reason: backend.reason },
      settings: {
        trainSamples: train.count,
        testSamples: test.count,
        calibrationSamples: calib.count,
        epochs: options.epochs,
        batchSize: options.batchSize,
        seed: options.seed,
        quick: options.quick,
        net: `LeNet-like ${SUITE_SIZES.conv1}C5-MP2-${SUITE_SIZES.conv2}C5-MP2-${SUITE_SIZES.fc1}-10 (WRPN 2x wide: every layer but the logits doubled)`,
      },
      hwModel: { batchSize: 1, table: 'horowitz-45nm', weightMemory: 'dram', activationMemory: 'sram' },
      rows,
      skipped,
      totalSeconds: 0,
    };
    const dir = resolve(options.out ?? join(REPO_ROOT, 'reports', timestampFolder()));
    mkdirSync(dir, { recursive: true });
    // The table and summary.json first: a failure while drawing charts must not lose the results.
    print(`\n${formatTable(rows)}`);
    summary.totalSeconds = (performance.now() - started) / 1000;
    writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(dir, 'summary.md'), summaryMarkdown(summary));
    writeFileSync(join(dir, 'index.html'), reportHtml(summary, await renderCharts(rows)));
    for (const k of skipped) print(`not run: ${k.id}: ${k.reason}`);
    print(`report: ${join(dir, 'index.html')}\nsummary: ${join(dir, 'summary.json')}`);
    return { summary, dir };
  } finally {
    for (const r of results) r.model.dispose();
    tf.dispose([train.images, train.labels, test.images, test.labels, calib.images, calib.labels]);
  }
}

export type { TechniqueId };
