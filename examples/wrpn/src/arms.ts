/**
 * The arms of the WRPN experiment (one config x width x seed each, plus the fp32 plateau check),
 * how one arm is trained, and the folder of finished arms that lets worker processes share the
 * work and a stopped run resume.
 *
 * ```ts
 * const arms = armList(settings);                       // seed-major order
 * const result = await trainArm(settings, arms[0], data); // test correctness, curve, costs
 * ```
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { correctness, fitSeeded, stepSchedule, type CurveRow } from '@lowbit/experiment-kit';
import { summary } from '@lowbit/hw-model';
import { buildWrpnLenet, wrpnPolicy } from '@lowbit/wrpn-layers';
import { configBits, type GridSettings } from './settings.js';

export interface ArmSpec {
  id: string;
  config: string;
  width: number;
  seed: number;
  epochs: number;
  /** Epochs between learning-rate drops (the plateau check stretches the schedule). */
  lrDropEvery: number;
  kind: 'grid' | 'plateau';
}

export interface ArmResult extends ArmSpec {
  policy: string;
  /** Test accuracy, fraction. */
  accuracy: number;
  testImages: number;
  /** Per-test-image correctness as a bitset (bit i of byte i >> 3 = image i), base64. */
  correct: string;
  curve: CurveRow[];
  /** Per image (batch 1), from @lowbit/hw-model's summary. */
  bitOps: number;
  macs: number;
  /** All parameters (quantized kernels at their bits; biases and batch norm at 32), bits. */
  weightBits: number;
  params: number;
  /** Wall seconds of training and testing (fp32 arms: a test evaluation per epoch). */
  trainSeconds: number;
  /** CPU seconds of the worker process while training (all its threads). */
  cpuSeconds: number;
}

export interface ExperimentData {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  testX: tf.Tensor4D;
  testLabels: Int32Array;
}

/**
 * Every arm of the settings, seed-major (a run stopped early has whole seeds done), the plateau check
 * first: it is the longest arm (twice the epochs), so started first it overlaps the grid instead of
 * trailing it on one core.
 */
export function armList(s: GridSettings): ArmSpec[] {
  const arms: ArmSpec[] = [];
  for (const seed of s.seeds) {
    for (const width of s.widths) {
      for (const config of s.configs) {
        arms.push({
          id: `${config}-x${width}-s${seed}`,
          config,
          width,
          seed,
          epochs: s.epochs,
          lrDropEvery: s.lrDropEvery,
          kind: 'grid',
        });
      }
    }
  }
  if (s.plateauCheck) {
    const seed = s.seeds[0];
    arms.unshift({
      id: `fp32-x1-s${seed}-plateau`,
      config: 'fp32',
      width: 1,
      seed,
      epochs: 2 * s.epochs,
      lrDropEvery: 2 * s.lrDropEvery,
      kind: 'plateau',
    });
  }
  return arms;
}

/** Folder of finished arms for these training settings (a hash of everything that changes an arm). */
export function armsFolder(root: string, s: GridSettings): string {
  const key = JSON.stringify([s.train, s.test, s.batch, s.lr, s.lrDrop, s.conv1, s.conv2, s.fc, 'v1']);
  const hash = createHash('sha1').update(key).digest('hex').slice(0, 10);
  return join(root, 'reports', 'wrpn-arms', hash);
}

// The schedule is part of the name: the same epochs with another drop interval is another arm.
export const armPath = (folder: string, arm: ArmSpec) =>
  join(folder, `${arm.id}-e${arm.epochs}-d${arm.lrDropEvery}.json`);

export function readArm(folder: string, arm: ArmSpec): ArmResult | null {
  const path = armPath(folder, arm);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ArmResult) : null;
}

/** Writes atomically (a temporary file renamed), so a killed worker leaves no half-written arm. */
export function writeArm(folder: string, result: ArmResult): void {
  mkdirSync(folder, { recursive: true });
  const path = armPath(folder, result);
  writeFileSync(`${path}.tmp`, JSON.stringify(result));
  renameSync(`${path}.tmp`, path);
}

export function claimPath(folder: string, arm: ArmSpec): string {
  return `${armPath(folder, arm)}.claim`;
}

export function encodeCorrect(c: Uint8Array): string {
  const bits = new Uint8Array(Math.ceil(c.length / 8));
  c.forEach((v, i) => {
    if (v) bits[i >> 3] |= 1 << (i & 7);
  });
  return Buffer.from(bits).toString('base64');
}

export function decodeCorrect(s: string, n: number): Uint8Array {
  const bits = Buffer.from(s, 'base64');
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >> 3] >> (i & 7)) & 1;
  return out;
}

/** Trains one arm with the experiment's common budget and returns its results. */
export async function trainArm(
  s: GridSettings,
  arm: ArmSpec,
  data: ExperimentData,
  onEpoch?: (row: CurveRow) => void,
): Promise<ArmResult> {
  const policy = wrpnPolicy(configBits(arm.config));
  const model = buildWrpnLenet({
    conv1: s.conv1,
    conv2: s.conv2,
    fc: s.fc,
    width: arm.width,
    policy,
    seed: arm.seed,
  });
  const optimizer = tf.train.adam(s.lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  try {
    const curve = await fitSeeded(model, data.x, data.y, {
      epochs: arm.epochs,
      batchSize: s.batch,
      seed: arm.seed,
      learningRate: stepSchedule(s.lr, { dropEvery: arm.lrDropEvery, factor: s.lrDrop }),
      // The fp32 arms' test curve is reported (the plateau); the others are tested once, after training.
      ...(arm.config === 'fp32' ? { validation: { x: data.testX, labels: data.testLabels } } : {}),
      onEpoch,
    });
    const right = correctness(model, data.testX, data.testLabels);
    const cpu = process.cpuUsage(cpu0);
    const trainSeconds = (Date.now() - started) / 1000;
    const cost = summary(model);
    return {
      ...arm,
      policy: policy.label(),
      accuracy: right.reduce((a, v) => a + v, 0) / right.length,
      testImages: right.length,
      correct: encodeCorrect(right),
      curve,
      bitOps: cost.totals.bitOps,
      macs: cost.totals.macs,
      weightBits: cost.totals.paramBits,
      params: cost.totals.params,
      trainSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
