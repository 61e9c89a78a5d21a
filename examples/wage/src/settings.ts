/**
 * Command-line settings of the WAGE MNIST example. Defaults are sized to finish in under 30
 * minutes on 2 shared cores; `--quick` in under 2 minutes; `--full` is the long run (whole
 * training set, 6 epochs main / 2 sweep; about 2 hours on 2 shared cores).
 */
import { LowbitConfigError } from '@lowbit/quant-core';

export interface WageSettings {
  mode: 'quick' | 'default' | 'full';
  /** Training images (class-stratified subset of the MNIST train split). */
  train: number;
  /** Test images (class-stratified subset of the test split; 10000 = all). */
  test: number;
  /** Epochs of the main 2-8-8-8 run (schedule eta 8 -> 1 -> 1/8 over 2/3, 1/6, 1/6). */
  epochs: number;
  /** Epochs of each k_G sweep run and of the float baseline. */
  sweepEpochs: number;
  /** k_G values of the sweep (the main run's k_G = 8 is reused). */
  sweep: number[];
  batch: number;
  seed: number;
  backend: 'wasm' | 'cpu';
  /** Output path without extension (.md and .json are written). */
  out: string;
}

export function parseSettings(argv: string[]): WageSettings {
  const mode = argv.includes('--quick') ? 'quick' : argv.includes('--full') ? 'full' : 'default';
  const s: WageSettings = {
    quick: {
      mode,
      train: 512,
      test: 200,
      epochs: 1,
      sweepEpochs: 1,
      sweep: [4, 6],
      batch: 128,
      seed: 1,
      backend: 'wasm',
      out: 'docs/results/wage-quick',
    },
    default: {
      mode,
      train: 20000,
      test: 10000,
      epochs: 5,
      sweepEpochs: 1,
      sweep: [4, 6],
      batch: 128,
      seed: 1,
      backend: 'wasm',
      out: 'docs/results/wage',
    },
    full: {
      mode,
      train: 60000,
      test: 10000,
      epochs: 6,
      sweepEpochs: 2,
      sweep: [4, 6],
      batch: 128,
      seed: 1,
      backend: 'wasm',
      out: 'docs/results/wage-full',
    },
  }[mode] as WageSettings;
  const int = (flag: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new LowbitConfigError(flag, v, `expected an integer from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--quick':
      case '--full':
        continue;
      case '--train':
        s.train = int(flag, value, 10, 60000);
        break;
      case '--test':
        s.test = int(flag, value, 10, 10000);
        break;
      case '--epochs':
        s.epochs = int(flag, value, 1, 1000);
        break;
      case '--sweep-epochs':
        s.sweepEpochs = int(flag, value, 1, 1000);
        break;
      case '--batch':
        s.batch = int(flag, value, 1, 4096);
        break;
      case '--seed':
        s.seed = int(flag, value, 0, 0xffffffff);
        break;
      case '--sweep': {
        const list = (value ?? '')
          .split(',')
          .filter((v) => v !== '')
          .map((v) => int(flag, v, 2, 16));
        s.sweep = list;
        break;
      }
      case '--backend':
        if (value !== 'wasm' && value !== 'cpu') throw new LowbitConfigError(flag, value, "expected 'wasm' or 'cpu'");
        s.backend = value;
        break;
      case '--out':
        if (!value) throw new LowbitConfigError(flag, value, 'expected a path');
        s.out = value;
        break;
      default:
        throw new LowbitConfigError(
          'argument',
          flag,
          'known flags: --quick, --full, --train N, --test N, --epochs N, --sweep-epochs N, --sweep 4,6, --batch N, --seed N, --backend wasm|cpu, --out PATH',
        );
    }
    i++;
  }
  return s;
}
