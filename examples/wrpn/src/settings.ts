/**
 * Command-line settings of the WRPN grid. Defaults are sized to finish in under 30 minutes on
 * 2 shared cores (see the README of this example); `--quick` in under 2 minutes.
 */
import { LowbitConfigError } from '@lowbit/quant-core';

export interface GridSettings {
  quick: boolean;
  /** Training images (class-stratified subset of the Fashion-MNIST train split). */
  train: number;
  /** Test images (class-stratified subset of the test split). */
  test: number;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  backend: 'wasm' | 'cpu';
  /** LeNet-like base sizes (width 1): conv1 C5 - MP2 - conv2 C5 - MP2 - fc - 10. */
  conv1: number;
  conv2: number;
  fc: number;
  widths: number[];
  configs: string[];
  /** Output path without extension (.md and .json are written). */
  out: string;
}

export const ALL_CONFIGS = ['fp32', 'w8a8', 'w4a4', 'w2a4', 'w2a2'];

export function parseSettings(argv: string[]): GridSettings {
  const quick = argv.includes('--quick');
  const s: GridSettings = {
    quick,
    train: quick ? 256 : 2000,
    test: quick ? 200 : 2000,
    epochs: quick ? 1 : 2,
    batch: 64,
    lr: 0.003,
    seed: 42,
    backend: 'wasm',
    conv1: 8,
    conv2: 16,
    fc: 64,
    widths: [1, 2, 3],
    configs: ALL_CONFIGS,
    out: quick ? 'docs/results/wrpn-quick' : 'docs/results/wrpn',
  };
  const int = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new LowbitConfigError(flag, v, `expected an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--quick':
        continue;
      case '--train':
        s.train = int(flag, value, 10);
        break;
      case '--test':
        s.test = int(flag, value, 10);
        break;
      case '--epochs':
        s.epochs = int(flag, value, 1);
        break;
      case '--batch':
        s.batch = int(flag, value, 1);
        break;
      case '--seed':
        s.seed = int(flag, value, 0);
        break;
      case '--conv1':
        s.conv1 = int(flag, value, 1);
        break;
      case '--conv2':
        s.conv2 = int(flag, value, 1);
        break;
      case '--fc':
        s.fc = int(flag, value, 1);
        break;
      case '--lr': {
        const lr = Number(value);
        if (!(lr > 0 && Number.isFinite(lr))) throw new LowbitConfigError(flag, value, 'expected a positive number');
        s.lr = lr;
        break;
      }
      case '--backend':
        if (value !== 'wasm' && value !== 'cpu') throw new LowbitConfigError(flag, value, 'expected "wasm" or "cpu"');
        s.backend = value;
        break;
      case '--widths':
        s.widths = (value ?? '').split(',').map((w) => int(flag, w, 1));
        break;
      case '--configs': {
        const list = (value ?? '').split(',');
        for (const c of list) {
          if (!ALL_CONFIGS.includes(c)) {
            throw new LowbitConfigError(flag, c, `expected some of ${ALL_CONFIGS.join(',')}`);
          }
        }
        s.configs = list;
        break;
      }
      case '--out':
        if (!value) throw new LowbitConfigError(flag, value, 'expected a path');
        s.out = value;
        break;
      default:
        throw new LowbitConfigError(
          'argument',
          flag,
          'known: --quick, --train N, --test N, --epochs N, --batch N, --lr X, --seed N, --conv1 N, --conv2 N, ' +
            '--fc N, --widths 1,2,3, --configs fp32,w4a4,..., --backend wasm|cpu, --out PATH',
        );
    }
    i++;
  }
  return s;
}

/** `w4a2` -> weight bits 4, input (activation) bits 2; `fp32` -> 32/32. */
export function configBits(config: string): { weightBits: number; inputBits: number } {
  if (config === 'fp32') return { weightBits: 32, inputBits: 32 };
  const m = /^w(\d+)a(\d+)$/.exec(config);
  if (!m) throw new LowbitConfigError('config', config, 'expected fp32 or wNaM');
  return { weightBits: Number(m[1]), inputBits: Number(m[2]) };
}
