/**
 * Command-line settings of the WRPN experiment. The defaults (full Fashion-MNIST training split,
 * 16 epochs with the learning rate cut x0.3 after 8, 3 seeds, {fp32, w8a8, w4a4, w2a2} x {1x, 2x},
 * 2 worker processes) take about 2.5 hours on 2 idle cores, over the hour the other experiments
 * keep to: 8 epochs (76 min) left fp32 1x 0.88 points short of its 16-epoch accuracy (README says
 * why the longer budget); `--quick` is a smoke run.
 *
 * ```ts
 * parseSettings(['--quick']).epochs;                       // 1
 * parseSettings(['--widths', '1,2,3', '--seeds', '1,2,3']);  // the grid with 3x
 * ```
 */
import { LowbitConfigError } from '@lowbit/quant-core';

export interface GridSettings {
  quick: boolean;
  /** Training images (the earliest of each class of the train split); 0 = all (59,945). */
  train: number;
  /** Test images; 0 = the full 10,000-image test split. */
  test: number;
  epochs: number;
  batch: number;
  /** Adam learning rate of the first epoch; multiplied by `lrDrop` every `lrDropEvery` epochs. */
  lr: number;
  lrDrop: number;
  lrDropEvery: number;
  /** Training seeds (initialisers and data order); every arm runs at every seed. */
  seeds: number[];
  /** LeNet-like base sizes (width 1): conv1 C5 - MP2 - conv2 C5 - MP2 - fc - 10. */
  conv1: number;
  conv2: number;
  fc: number;
  widths: number[];
  configs: string[];
  /** Worker processes training arms side by side (1 = in this process). */
  jobs: number;
  /** Also train fp32 1x (first seed) for twice the epochs, the schedule stretched, to show the plateau. */
  plateauCheck: boolean;
  /** Output path without extension (.md and .json are written). */
  out: string;
  /** Ignore finished arms cached by an earlier run with the same settings. */
  fresh: boolean;
}

export const ALL_CONFIGS = ['fp32', 'w8a8', 'w4a4', 'w2a4', 'w2a2'];

const HELP =
  'known: --quick, --train N (0 = all), --test N (0 = all), --epochs N, --batch N, --lr X, --lr-drop X, ' +
  '--lr-drop-every N, --seeds 1,2,3, --conv1 N, --conv2 N, --fc N, --widths 1,2, --configs fp32,w4a4,..., ' +
  '--jobs N, --no-plateau-check, --fresh, --out PATH';

export function parseSettings(argv: string[]): GridSettings {
  const quick = argv.includes('--quick');
  const s: GridSettings = {
    quick,
    train: quick ? 1000 : 0,
    test: quick ? 1000 : 0,
    epochs: quick ? 1 : 16,
    batch: quick ? 64 : 128,
    lr: 0.003,
    lrDrop: 0.3,
    lrDropEvery: quick ? 1 : 8,
    seeds: quick ? [1, 2] : [1, 2, 3],
    conv1: 8,
    conv2: 16,
    fc: 64,
    widths: [1, 2],
    configs: ['fp32', 'w8a8', 'w4a4', 'w2a2'],
    jobs: quick ? 1 : 2,
    plateauCheck: !quick,
    out: quick ? 'docs/results/wrpn-quick' : 'docs/results/wrpn',
    fresh: false,
  };
  const int = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) {
      throw new LowbitConfigError(flag, v, `expected an integer >= ${min}`);
    }
    return n;
  };
  const positive = (flag: string, v: string | undefined, max = Infinity) => {
    const x = Number(v);
    if (!(x > 0 && x <= max && Number.isFinite(x))) {
      throw new LowbitConfigError(flag, v, `expected a number in (0, ${max}]`);
    }
    return x;
  };
  const list = (flag: string, v: string | undefined, min: number) => {
    const items = (v ?? '').split(',').map((w) => int(flag, w, min));
    if (new Set(items).size !== items.length) throw new LowbitConfigError(flag, v, 'expected distinct values');
    return items;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--quick':
        continue;
      case '--no-plateau-check':
        s.plateauCheck = false;
        continue;
      case '--fresh':
        s.fresh = true;
        continue;
      case '--train':
        s.train = int(flag, value, 0);
        if (s.train > 0 && s.train < 10) throw new LowbitConfigError(flag, value, 'expected 0 (all) or >= 10');
        break;
      case '--test':
        s.test = int(flag, value, 0);
        if (s.test > 0 && s.test < 10) throw new LowbitConfigError(flag, value, 'expected 0 (all) or >= 10');
        break;
      case '--epochs':
        s.epochs = int(flag, value, 1);
        break;
      case '--batch':
        s.batch = int(flag, value, 1);
        break;
      case '--lr':
        s.lr = positive(flag, value);
        break;
      case '--lr-drop':
        s.lrDrop = positive(flag, value, 1);
        break;
      case '--lr-drop-every':
        s.lrDropEvery = int(flag, value, 1);
        break;
      case '--seeds':
        s.seeds = list(flag, value, 0);
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
      case '--jobs':
        s.jobs = int(flag, value, 1);
        break;
      case '--widths':
        s.widths = list(flag, value, 1).sort((a, b) => a - b);
        break;
      case '--configs': {
        const configs = (value ?? '').split(',');
        for (const c of configs) {
          if (!ALL_CONFIGS.includes(c)) {
            throw new LowbitConfigError(flag, c, `expected some of ${ALL_CONFIGS.join(',')}`);
          }
        }
        s.configs = ALL_CONFIGS.filter((c) => configs.includes(c));
        break;
      }
      case '--out':
        if (!value) throw new LowbitConfigError(flag, value, 'expected a path');
        s.out = value;
        break;
      default:
        throw new LowbitConfigError('argument', flag, HELP);
    }
    i++;
  }
  if (!s.configs.includes('fp32')) {
    throw new LowbitConfigError('--configs', s.configs.join(','), 'fp32 is the same-width reference: include it');
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
