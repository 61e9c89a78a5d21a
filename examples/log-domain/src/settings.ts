/**
 * Command-line settings of the log-domain experiment. The defaults are the documented experiment
 * (full Fashion-MNIST training split, 3 seeds per arm, full 10,000-image test set); `--quick` is a
 * smoke run.
 *
 *   npm start -w examples/log-domain                    # the experiment
 *   npm start -w examples/log-domain -- --quick         # smoke run
 *   npm start -w examples/log-domain -- --train 20000 --epochs 4 --seeds 1,2,3
 */
import { parseArgs } from 'node:util';
import { LowbitConfigError } from '@lowbit/quant-core';

export interface Settings {
  quick: boolean;
  backend: 'tensorflow' | 'wasm' | 'cpu' | null;
  /** Training images (0: the whole training split, 59,945). */
  trainImages: number;
  testImages: number;
  /** Calibration slice of the training split, for the FSR search. */
  calibrationImages: number;
  seeds: number[];
  epochs: number;
  batchSize: number;
  /** Adam, cosine decay from `learningRate` to `minLearningRate`; the same for every arm. */
  learningRate: number;
  minLearningRate: number;
  /** Post-training activation bits (the claim is at 3). */
  postTrainingBits: number[];
  /** FSR candidates: round(log2 max) + each offset, per quantized layer input. */
  fsrOffsets: number[];
  /** Bits of weights and activations in the training comparison. */
  trainingBits: number;
  resamples: number;
  out: string;
}

export function parseSettings(argv: string[]): Settings {
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
    backend: backend as Settings['backend'],
    trainImages: int('train', values.train, quick ? 3000 : 0, 0),
    testImages: int('test', values.test, quick ? 2000 : 10000),
    calibrationImages: int('calib', values.calib, quick ? 256 : 1000),
    seeds,
    epochs: int('epochs', values.epochs, quick ? 2 : 6),
    batchSize: int('batch', values.batch, quick ? 128 : 256),
    learningRate: lr,
    minLearningRate: lr / 20,
    postTrainingBits: [3, 4],
    fsrOffsets: [-3, -2, -1, 0, 1],
    trainingBits: 5,
    resamples: quick ? 500 : 2000,
    out: values.out ?? (quick ? 'docs/results/log-domain-quick' : 'docs/results/log-domain'),
  };
}
