/**
 * The suite end to end on a tiny subset (200 train / 100 test images, 1 epoch, three techniques),
 * then its outputs: summary.json (fields, finite numbers in range, one row per technique), the
 * HTML report (parsed: table and SVG charts), and a screenshot of the report in headless Chromium
 * (skipped with a message when Chromium is not installed, except in CI (CI=true), where it fails:
 * .ci/run installs Chromium).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSuiteArgs } from './options.js';
import { createProgress } from './progress.js';
import { runSuite } from './run-suite.js';
import type { SuiteSummary } from './suite-summary.js';

// Where tfjs-node is installed, --backend tensorflow is honoured and there is nothing to refuse.
const TFJS_NODE = await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/')).then(
  () => true,
  () => false,
);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

let dir: string;
let summary: SuiteSummary;
let tensorsBefore: number;
let tensorsAfter: number;
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lowbit-suite-test-'));
  const options = parseSuiteArgs(
    [
      '--quick',
      '--train',
      '200',
      '--test',
      '100',
      '--calibration',
      '32',
      '--epochs',
      '1',
      '--backend',
      'wasm',
      '--techniques',
      'float,log,dqa',
      '--out',
      dir,
      '--no-progress',
    ],
    false,
  );
  tensorsBefore = tf.memory().numTensors;
  ({ summary } = await runSuite(options, {
    progress: createProgress({ bars: false, write: (l) => lines.push(l) }),
    print: (t) => lines.push(t),
  }));
  tensorsAfter = tf.memory().numTensors;
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runSuite (quick, tiny subset)', () => {
  it('writes summary.json with one row per technique, every number finite and in range', () => {
    const json = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SuiteSummary;
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('| log-domain 4-bit |');
    expect(json).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(json.tool).toBe('@lowbit/suite');
    expect(json.dataset).toBe('fashion');
    expect(json.backend.name).toBe('wasm');
    expect(json.settings).toMatchObject({
      trainSamples: 200,
      testSamples: 100,
      calibrationSamples: 32,
      epochs: 1,
      quick: true,
    });
    expect(json.skipped).toEqual([]);
    expect(json.rows.map((r) => r.id)).toEqual(['float', 'log', 'dqa']);
    for (const r of json.rows) {
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      // 100 test images: accuracy is a multiple of 1%
      expect(Math.abs(r.accuracy * 100 - Math.round(r.accuracy * 100))).toBeLessThan(1e-9);
      for (const k of [
        'weightMemoryKiB',
        'activationMemoryKiB',
        'macs',
        'bitOps',
        'computePj',
        'memoryPj',
        'energyPj',
        'seconds',
        'params',
      ] as const) {
        expect(Number.isFinite(r[k]), `${r.id}.${k}`).toBe(true);
        expect(r[k], `${r.id}.${k}`).toBeGreaterThan(0);
      }
      expect(r.energyPj).toBeCloseTo(r.computePj + r.memoryPj, 3);
      expect(r.layers.reduce((s, l) => s + l.energyPj, 0)).toBeCloseTo(r.energyPj, 0);
    }
    const [float, log, dqa] = json.rows;
    // same topology: same MACs and parameter count
    expect(log.macs).toBe(float.macs);
    expect(dqa.params).toBe(float.params);
    expect(float.energyVsFloat32).toBeCloseTo(1, 6);
    // 4-bit log weights store 8x less than float32 (biases stay 32-bit), and cost less energy
    expect(log.weightMemoryKiB).toBeLessThan(float.weightMemoryKiB / 6);
    expect(log.energyPj).toBeLessThan(float.energyPj);
    // DQA quantizes activations only: same weights, fewer activation bytes
    expect(dqa.weightMemoryKiB).toBe(float.weightMemoryKiB);
    expect(dqa.activationMemoryKiB).toBeLessThan(float.activationMemoryKiB);
    expect(dqa.kind).toBe('post-training');
    expect(dqa.curve).toEqual([]);
    // trained techniques: one loss point per batch (200 images / batch 64 = 4 batches)
    expect(float.curve.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    for (const p of [...float.curve, ...log.curve]) expect(Number.isFinite(p.loss) && p.loss > 0).toBe(true);
  });

  it('prints the comparison table and logs progress lines', () => {
    const text = lines.join('\n');
    expect(text).toMatch(/float: epoch 1\/1 done, loss \d/);
    expect(text).toMatch(/technique\s+test acc\.\s+weights KiB/);
    for (const label of ['float32 baseline', 'log-domain 4-bit', 'DQA 4-bit']) expect(text).toContain(label);
  });

  it('leaves no tensors behind', () => {
    expect(tensorsAfter).toBe(tensorsBefore);
  });

  it.skipIf(TFJS_NODE)('refuses an explicit --backend that cannot start, naming why (tfjs-node absent)', async () => {
    const options = parseSuiteArgs(['--backend', 'tensorflow', '--out', join(dir, 'never')], false);
    await expect(
      runSuite(options, { progress: createProgress({ bars: false, write: () => {} }), print: () => {} }),
    ).rejects.toThrow(/--backend tensorflow is not available: cannot import it .*Leave --backend out/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('writes a self-contained HTML report with the table and the SVG charts', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const root = parse(html);
    const table = root.querySelector('table#comparison')!;
    expect(table).not.toBeNull();
    const rows = table.querySelectorAll('tr');
    expect(rows).toHaveLength(1 + 3);
    expect(rows[0].querySelectorAll('th').map((th) => th.text)).toContain('energy');
    const float = summary.rows[0];
    expect(rows[1].querySelectorAll('td')[1].text).toBe(`${(100 * float.accuracy).toFixed(2)}%`);
    for (const id of ['chart-pareto', 'chart-bitops', 'chart-layer-energy', 'chart-curves']) {
      const svg = root.querySelector(`#${id} svg`);
      expect(svg, id).not.toBeNull();
      expect(Number(svg!.getAttribute('width'))).toBeGreaterThan(100);
    }
    expect(root.querySelector('#chart-pareto svg')!.text).toContain('log-domain 4-bit');
    // self-contained: no scripts, no external resources
    expect(root.querySelectorAll('script')).toHaveLength(0);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const chromiumNote = CHROMIUM
  ? ''
  : IN_CI
    ? ' (FAILS: CI=true and Chromium not found at /usr/bin/chromium; .ci/run installs it)'
    : ' (SKIPPED: Chromium not found at /usr/bin/chromium; install it with apt-get install chromium)';
if (!CHROMIUM) console.warn(`suite: screenshot test${chromiumNote}`);

describe(`the report in headless Chromium${chromiumNote}`, () => {
  // Runs whenever Chromium is present; in CI it also runs (and fails) when Chromium is missing.
  it.skipIf(!CHROMIUM && !IN_CI)('renders to a non-trivial screenshot', () => {
    if (!CHROMIUM) throw new Error('CI=true and Chromium is missing at /usr/bin/chromium (apt-get install chromium)');
    const profile = mkdtempSync(join(tmpdir(), 'lowbit-chromium-'));
    const png = join(dir, 'screenshot.png');
    try {
      execFileSync(
        CHROMIUM!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          `--user-data-dir=${profile}`,
          '--window-size=1200,2400',
          `--screenshot=${png}`,
          `file://${join(dir, 'index.html')}`,
        ],
        { stdio: 'ignore', timeout: 90_000 },
      );
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    const bytes = readFileSync(png);
    expect(pngSize(bytes)).toEqual({ width: 1200, height: 2400 });
    // A blank page of this size compresses to a few KB; text, tables and charts take far more.
    expect(statSync(png).size).toBeGreaterThan(60_000);
  });
});
