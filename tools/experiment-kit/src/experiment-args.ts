/**
 * The command line every LeNet-5 experiment shares (examples/dqa, examples/log-domain): data sizes,
 * seeds, epochs, batch, learning rate, backend and output path, with the same defaults, so the
 * arms of different techniques are trained alike. Each example adds its own fields.
 *
 * ```ts
 * const common = parseExperimentArgs(process.argv.slice(2), {
 *   calibrationImages: { quick: 128, full: 256 },
 *   out: { quick: 'docs/results/dqa-quick', full: 'docs/results/dqa' },
 * });
 * common.seeds; // [1, 2, 3] (--quick: [1, 2])
 * ```
 */
import { parseArgs } from 'node:util';
import { LowbitConfigError } from '@lowbit/quant-core';

export interface ExperimentArgs {
  quick: boolean;
  /** Preferred backend (selectBackend's order when null). */
  backend: 'tensorflow' | 'wasm' | 'cpu' | null;
  /** Training images (0: the whole training split, 59,945). */
  trainImages: number;
  testImages: number;
  /** Calibration slice of the training split. */
  calibrationImages: number;
  /** One net per seed (initialisation and data order). */
  seeds: number[];
  epochs: number;
  batchSize: number;
  /** Adam, cosine decay from `learningRate` to `minLearningRate` over the epochs. */
  learningRate: number;
  minLearningRate: number;
  /** Bootstrap resamples of every claim. */
  resamples: number;
  /** Output path without extension, relative to the repository root. */
  out: string;
}

/** What differs between the experiments: the calibration slice and where the page goes. */
export interface ExperimentArgDefaults {
  calibrationImages: { quick: number; full: number };
  out: { quick: string; full: string };
}

export function parseExperimentArgs(argv: string[], defaults: ExperimentArgDefaults): ExperimentArgs {
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
  const pick = <T>(d: { quick: T; full: T }) => (quick ? d.quick : d.full);
  return {
    quick,
    backend: backend as ExperimentArgs['backend'],
    trainImages: int('train', values.train, quick ? 3000 : 0, 0),
    testImages: int('test', values.test, quick ? 2000 : 10000),
    calibrationImages: int('calib', values.calib, pick(defaults.calibrationImages)),
    seeds,
    epochs: int('epochs', values.epochs, quick ? 2 : 6),
    batchSize: int('batch', values.batch, quick ? 128 : 256),
    learningRate: lr,
    minLearningRate: lr / 20,
    resamples: quick ? 500 : 2000,
    out: values.out ?? pick(defaults.out),
  };
}
