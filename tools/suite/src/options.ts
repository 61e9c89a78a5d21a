/**
 * The suite's command line: a commander program that turns argv into {@link SuiteOptions}.
 *
 * ```ts
 * const options = parseSuiteArgs(['--quick', '--techniques', 'float,wrpn']);
 * options.trainSamples; // 1000
 * ```
 *
 * Bad options throw a `CommanderError` whose message names the option, the value and what is
 * allowed; `main.ts` prints it and exits with code 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';

export const TECHNIQUE_IDS = ['float', 'wrpn', 'log', 'wage', 'dqa', 'fames', 'composed'] as const;
export type TechniqueId = (typeof TECHNIQUE_IDS)[number];
export const DATASETS = ['fashion', 'mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const BACKENDS = ['wasm', 'cpu', 'tensorflow'] as const;
export type BackendOption = (typeof BACKENDS)[number];

/**
 * Default settings (also printed by `--help`): every technique trains on the whole Fashion-MNIST
 * training split (59,945 images; MNIST: all but 55 of its 60,000) for two epochs, the learning
 * rate cosine-decayed from its base to 1/20 of it over them, and is tested on the whole
 * 10,000-image test split. Sized from CPU time per 1,000 training images, measured with
 * `npx tsx --conditions=@lowbit/source tools/suite/src/step-cost.ts` (wasm SIMD, one thread, 1,280
 * images, fixed steps included): float 1.1 s, WRPN 2x 4.1 s, log 1.8 s, WAGE 1.0 s, DQA 1.9 s,
 * FAMES 6.6 s, composed 43.6 s (about 40 s of it selection and calibration, paid once). A third
 * epoch would not fit in 30 minutes on 2 cores.
 */
export const DEFAULTS = {
  trainSamples: 59_945,
  testSamples: 10_000,
  epochs: 2,
  calibrationSamples: 256,
  batchSize: 64,
  seed: 1,
} as const;
/** `--quick`: a smoke run of a minute or two. */
export const QUICK = { trainSamples: 1_000, testSamples: 500, epochs: 1, calibrationSamples: 64 } as const;

export interface SuiteOptions {
  dataset: DatasetName;
  trainSamples: number;
  testSamples: number;
  epochs: number;
  calibrationSamples: number;
  batchSize: number;
  seed: number;
  quick: boolean;
  /** Preferred backend; null: selectBackend's order (tfjs-node if installed, else wasm, else cpu). */
  backend: BackendOption | null;
  techniques: TechniqueId[];
  /** Output folder; null: reports/<timestamp> under the repository root. */
  out: string | null;
  /** Progress bars (true) or plain log lines (false); default: whether stdout is a terminal. */
  progressBars: boolean;
}

function positiveInteger(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}, got "${value}".`);
    }
    return n;
  };
}

function techniqueList(value: string): TechniqueId[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0)
    throw new InvalidArgumentError(`expected a comma-separated list of ${TECHNIQUE_IDS.join(', ')}, got "${value}".`);
  for (const item of items) {
    if (!(TECHNIQUE_IDS as readonly string[]).includes(item)) {
      throw new InvalidArgumentError(`unknown technique "${item}"; known: ${TECHNIQUE_IDS.join(', ')}.`);
    }
  }
  return [...new Set(items)] as TechniqueId[];
}

/** The commander program (exported so tests can read its help text). */
export function suiteProgram(): Command {
  return new Command('lowbit-suite')
    .description(
      'Train the float baseline and each lowbit technique on one data set, print a comparison table ' +
        '(accuracy, weight and activation memory, bit-ops, estimated energy, training time) and write ' +
        'an HTML report with charts plus summary.json.',
    )
    .addOption(new Option('--dataset <name>', 'data set').choices([...DATASETS]).default('fashion'))
    .option(
      '--train <n>',
      `training images (default ${DEFAULTS.trainSamples}, --quick ${QUICK.trainSamples})`,
      positiveInteger('--train', 60_000),
    )
    .option(
      '--test <n>',
      `test images (default ${DEFAULTS.testSamples}, --quick ${QUICK.testSamples})`,
      positiveInteger('--test', 10_000),
    )
    .option(
      '--epochs <n>',
      `training epochs per technique (default ${DEFAULTS.epochs}, --quick ${QUICK.epochs})`,
      positiveInteger('--epochs', 1000),
    )
    .option(
      '--calibration <n>',
      `calibration images for DQA and FAMES (default ${DEFAULTS.calibrationSamples}, --quick ${QUICK.calibrationSamples})`,
      positiveInteger('--calibration', 10_000),
    )
    .option(
      '--batch-size <n>',
      'training batch size (WAGE uses its own, 128)',
      positiveInteger('--batch-size', 4096),
      DEFAULTS.batchSize,
    )
    .option('--seed <n>', 'seed of initialisers and data order', positiveInteger('--seed', 2 ** 31 - 1), DEFAULTS.seed)
    .option('--quick', 'a smoke run of a minute or two (fewer images, 1 epoch)', false)
    .addOption(
      new Option(
        '--backend <name>',
        'preferred tfjs backend (tensorflow needs @tensorflow/tfjs-node installed); default: tensorflow, else wasm, else cpu',
      ).choices([...BACKENDS]),
    )
    .option(
      '--techniques <list>',
      `comma-separated techniques to run (default all: ${TECHNIQUE_IDS.join(',')}); dqa needs float and adds it`,
      techniqueList,
    )
    .option('--out <dir>', 'output folder (default reports/<timestamp>)')
    .option('--no-progress', 'plain log lines instead of progress bars (the default when stdout is not a terminal)')
    .addHelpText(
      'after',
      '\nExamples:\n  npm start -- --quick\n  npm start -- --techniques float,wrpn,dqa --epochs 3\n  npm start -- --dataset mnist --backend cpu --out /tmp/suite-mnist\n\n' +
        'Outputs: the comparison table on stdout; <out>/index.html (table and charts) and <out>/summary.json.',
    )
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
    .showHelpAfterError(false);
}

/** Parses user arguments (without `node` and the script path). Throws CommanderError on bad input or `--help`. */
export function parseSuiteArgs(argv: string[], isTty = Boolean(process.stdout.isTTY)): SuiteOptions {
  const program = suiteProgram();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{
    dataset: DatasetName;
    train?: number;
    test?: number;
    epochs?: number;
    calibration?: number;
    batchSize: number;
    seed: number;
    quick: boolean;
    backend?: BackendOption;
    techniques?: TechniqueId[];
    out?: string;
    progress: boolean;
  }>();
  if (program.args.length > 0) {
    throw new InvalidArgumentError(`unexpected argument "${program.args[0]}" (options start with --; see --help).`);
  }
  const base = o.quick ? QUICK : DEFAULTS;
  let techniques = o.techniques ?? [...TECHNIQUE_IDS];
  if (techniques.includes('dqa') && !techniques.includes('float')) techniques = ['float', ...techniques];
  return {
    dataset: o.dataset,
    trainSamples: o.train ?? base.trainSamples,
    testSamples: o.test ?? base.testSamples,
    epochs: o.epochs ?? base.epochs,
    calibrationSamples: o.calibration ?? base.calibrationSamples,
    batchSize: o.batchSize,
    seed: o.seed,
    quick: o.quick,
    backend: o.backend ?? null,
    techniques: TECHNIQUE_IDS.filter((t) => techniques.includes(t)),
    out: o.out ?? null,
    progressBars: o.progress && isTty,
  };
}

/** The help text (`--help`). */
export function suiteHelp(): string {
  return suiteProgram().helpInformation();
}
