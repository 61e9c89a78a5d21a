/**
 * Command-line settings of the DQA experiment. The defaults are the documented experiment (full
 * Fashion-MNIST training split, 3 float nets, full 10,000-image test set); `--quick` is a smoke run.
 *
 *   npm run start -w examples/dqa                          # the experiment
 *   npm run start -w examples/dqa -- --quick               # smoke run (a few minutes)
 *   npm run start -w examples/dqa -- --epochs 4 --seeds 1,2,3 --train 30000
 */
import { parseArgs } from 'node:util';
import { LowbitConfigError } from '@lowbit/quant-core';

export interface DqaSettings {
  quick: boolean;
  /** Preferred backend (selectBackend's order when null). */
  backend: 'tensorflow' | 'wasm' | 'cpu' | null;
  /** Training images (0: the whole training split, 59,945). */
  trainImages: number;
  testImages: number;
  /** Calibration slice of the training split: scales, channel ranking and the storage measurement. */
  calibrationImages: number;
  /** One float net per seed (initialisation and data order). */
  seeds: number[];
  epochs: number;
  batchSize: number;
  /** Adam, cosine decay from `learningRate` to `minLearningRate` over the epochs. */
  learningRate: number;
  minLearningRate: number;
  bits: number[];
  extraBits: number;
  importantFraction: number;
  randomDraws: number;
  /** Bootstrap resamples of every claim. */
  resamples: number;
  /** Non-inferiority margin (points) of "DQA >= direct at equal storage". */
  storageMargin: number;
  /** Output path without extension, relative to the repository root. */
  out: string;
}

export function parseSettings(argv: string[]): DqaSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      calib: { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const int = (name: string, raw: string | undefined, fallback: number, min = 1): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) throw new LowbitConfigError(`--${name}`, raw, `expected an integer >= ${min}`);
    return v;
  };
  const seeds = (values.seeds ?? (quick ? '1,2' : '1,2,3')).split(',').map((s) => Number(s));
  if (!seeds.every((s) => Number.isInteger(s) && s >= 0) || new Set(seeds).size !== seeds.length) {
    throw new LowbitConfigError('--seeds', values.seeds, 'expected distinct integers >= 0, comma-separated');
  }
  const backend = values.backend ?? null;
  if (backend !== null && !['tensorflow', 'wasm', 'cpu'].includes(backend)) {
    throw new LowbitConfigError('--backend', backend, 'expected tensorflow, wasm or cpu');
  }
  const lr = values.lr === undefined ? 2e-3 : Number(values.lr);
  if (!(lr > 0 && lr < 1)) throw new LowbitConfigError('--lr', values.lr, 'expected a number in (0, 1)');
  return {
    quick,
    backend: backend as DqaSettings['backend'],
    trainImages: int('train', values.train, quick ? 3000 : 0, 0),
    testImages: int('test', values.test, quick ? 2000 : 10000),
    calibrationImages: int('calib', values.calib, quick ? 128 : 256),
    seeds,
    epochs: int('epochs', values.epochs, quick ? 2 : 6),
    batchSize: int('batch', values.batch, quick ? 128 : 256),
    learningRate: lr,
    minLearningRate: lr / 20,
    bits: [3, 4, 5],
    extraBits: 3,
    importantFraction: 0.5,
    randomDraws: quick ? 2 : 5,
    resamples: quick ? 500 : 2000,
    storageMargin: 0.2,
    out: values.out ?? (quick ? 'docs/results/dqa-quick' : 'docs/results/dqa'),
  };
}
