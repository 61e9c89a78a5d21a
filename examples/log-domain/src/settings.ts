/**
 * Command-line settings of the example. Defaults finish in well under 30 minutes on 2 shared
 * cores (a documented subset of Fashion-MNIST); `--quick` in under 2 minutes.
 *
 *   npm start -w examples/log-domain                 # default subset
 *   npm start -w examples/log-domain -- --quick      # smoke run
 *   npm start -w examples/log-domain -- --train 59945 --test 10000 --epochs 10   # full data
 */
import { LowbitConfigError } from '@lowbit/quant-core';

export interface Settings {
  quick: boolean;
  trainImages: number;
  testImages: number;
  /** Calibration images for the activation FSRs (taken from the training subset). */
  calibrationImages: number;
  epochs: number;
  /** Initialisation seeds of the training comparison (b). */
  trainingSeeds: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  backend: 'wasm' | 'cpu';
  /** Where the Markdown and JSON results go (without extension). */
  out: string;
}

export function parseSettings(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  const s: Settings = {
    quick,
    trainImages: quick ? 2000 : 12000,
    testImages: quick ? 1000 : 5000,
    calibrationImages: quick ? 256 : 1000,
    epochs: quick ? 2 : 5,
    trainingSeeds: quick ? 1 : 2,
    batchSize: 64,
    learningRate: 1e-3,
    seed: 7,
    backend: 'wasm',
    out: 'docs/results/log-domain',
  };
  const numeric: Record<string, keyof Settings> = {
    '--train': 'trainImages',
    '--test': 'testImages',
    '--epochs': 'epochs',
    '--batch': 'batchSize',
    '--lr': 'learningRate',
    '--seed': 'seed',
    '--training-seeds': 'trainingSeeds',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') continue;
    const value = argv[i + 1];
    if (flag in numeric) {
      const v = Number(value);
      if (!Number.isFinite(v) || v <= 0) throw new LowbitConfigError(flag, value, 'expected a positive number');
      if (flag !== '--lr' && !Number.isInteger(v))
        throw new LowbitConfigError(flag, value, 'expected a positive integer');
      (s as unknown as Record<string, number>)[numeric[flag]] = v;
      i++;
    } else if (flag === '--backend') {
      if (value !== 'wasm' && value !== 'cpu') throw new LowbitConfigError(flag, value, 'expected "wasm" or "cpu"');
      s.backend = value;
      i++;
    } else if (flag === '--out') {
      s.out = value;
      i++;
    } else {
      throw new LowbitConfigError(
        'argument',
        flag,
        'known: --quick, --train N, --test N, --epochs N, --batch N, --lr X, --seed N, --training-seeds N, --backend wasm|cpu, --out PATH',
      );
    }
  }
  return s;
}
