/**
 * The `lowbit` command line: a commander program with the subcommands summary, export, quantize
 * and suite. `runCli(argv)` parses and runs one command line and resolves with the exit code;
 * it never calls `process.exit` and writes only through the given {@link CliIO}, so tests run it
 * in-process.
 *
 * ```ts
 * const code = await runCli(['summary', './out/lenet', '--batch-size', '8']);   // prints the table
 * ```
 *
 * Exit codes: 0 on success (and for `--help` / `--version`), 1 for any error. User mistakes (bad
 * paths, corrupt files, bad config, bad option values) print one line `error: ...` naming the
 * argument, the value and what is allowed; only an unexpected internal error prints a stack.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LowbitError } from '@lowbit/quant-core/errors';
import { CliError, CliUsageError, oneLine, processIO, type CliIO } from './io.js';
import { CODES_FORMATS } from './commands/codes-format.js';
import type { SummaryCommandOptions } from './commands/summary.js';
import type { ExportCommandOptions } from './commands/export.js';
import type { QuantizeCommandOptions } from './commands/quantize.js';
import type { SuiteCommandOptions } from './commands/suite.js';

/** This package's version (from its package.json, one level above src/ and dist/). */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const MAX_BATCH = 2 ** 31;

function batchSize(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_BATCH) {
    throw new InvalidArgumentError(`expected an integer from 1 to ${MAX_BATCH}`);
  }
  return n;
}

/**
 * The commander program. Each command's action writes through `io`; `setExitCode` receives the
 * exit code of commands that run a child process (suite). The commands' modules (tfjs and every
 * lowbit package) are imported when a command runs, so `--help` and option errors are quick.
 */
export function createProgram(io: CliIO, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('lowbit')
    .description('Summaries, integer export and quantization of saved lowbit / TensorFlow.js models.')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText(
      'after',
      [
        '',
        'A <model-dir> is a directory holding model.json and its weights file, as written by',
        "saveModel(model, dir) from '@lowbit/quant-core/node' (or model.save(fileIO(dir))).",
        '',
        'Examples:',
        '  lowbit summary ./out/lenet --batch-size 8',
        '  lowbit export ./out/lenet --out lenet-int.json',
        '  lowbit quantize ./out/float-lenet --config w4a4.json --out ./out/lenet-w4a4',
        '  lowbit suite --quick            (inside a lowbit checkout)',
      ].join('\n'),
    );

  program
    .command('summary')
    .description('hardware cost table of a saved model (params, memory, MACs, bit-ops, energy)')
    .argument('<model-dir>', 'directory with model.json and its weights file')
    .option('--batch-size <n>', 'samples per forward pass (default 1)', batchSize)
    .addOption(
      new Option('--weight-memory <where>', 'where weights are read from (default dram)').choices(['dram', 'sram']),
    )
    .addOption(
      new Option('--activation-memory <where>', 'where activations live (default sram)').choices(['sram', 'dram']),
    )
    .option('--json', "print hw-model's summary(model) as JSON instead of the table")
    .action(async (dir: string, options: SummaryCommandOptions) =>
      (await import('./commands/summary.js')).summaryCommand(dir, options, io),
    );

  program
    .command('export')
    .description("write the quantized layers' integer codes, scales and biases as JSON")
    .argument('<model-dir>', 'directory with model.json and its weights file')
    .requiredOption('--out <file.json>', 'the JSON file to write')
    .addOption(
      new Option('--codes <format>', 'kernel codes as a JSON array, or lbqt: base64 of QuantizedTensor.toBytes()')
        .choices([...CODES_FORMATS])
        .default('array'),
    )
    .action(async (dir: string, options: ExportCommandOptions) =>
      (await import('./commands/export.js')).exportCommand(dir, options, io),
    );

  program
    .command('quantize')
    .description('quantize a saved float model with quantizeModel(model, config) and save it')
    .argument('<model-dir>', 'directory with model.json and weights of the float model')
    .requiredOption(
      '--config <file.json>',
      'quantizeModel config: keys are layer names, layer classes (Dense, Conv2D, ...) or "default"',
    )
    .requiredOption('--out <dir>', 'directory to save the quantized model in (with saveModel)')
    .option('--summary', 'print the cost table of the quantized model')
    .addHelpText(
      'after',
      [
        '',
        'Config example (4-bit weights and inputs everywhere, the layer named "out" kept float):',
        '  { "default": { "weightBits": 4, "inputBits": 4 }, "out": null }',
        'Entry keys: weightBits, inputBits, kernelQuantizer, inputQuantizer, outputQuantizer, arithmetic',
        '(parts as alias strings such as "log2", or { "className": ..., "config": ... }).',
      ].join('\n'),
    )
    .action(async (dir: string, options: QuantizeCommandOptions) =>
      (await import('./commands/quantize.js')).quantizeCommand(dir, options, io),
    );

  program
    .command('suite')
    .description("run the repository's suite (tools/suite) in the lowbit checkout around the working directory")
    .argument('[args...]', 'arguments for the suite (see: lowbit suite -- --help)')
    .option('--no-build', 'skip npm run build (give it before the suite arguments)')
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .addHelpText(
      'after',
      [
        '',
        'Runs, in the checkout root, npm run build (unless --no-build) and npm run start -w tools/suite -- [args...],',
        'as the root npm start does. Outside a checkout it fails: the suite runs from a clone (npm ci && npm start).',
        '',
        'Examples:',
        '  lowbit suite --quick',
        '  lowbit suite --no-build --techniques float,wrpn --epochs 1',
        "  lowbit suite -- --help            (the suite's own options)",
      ].join('\n'),
    )
    .action(async (args: string[], options: SuiteCommandOptions) => {
      setExitCode(await (await import('./commands/suite.js')).suiteCommand(args, options, io));
    });

  return program;
}

/** Parses `argv` (user arguments, without `node` and the script) and runs the command; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const program = createProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    // commander has already printed its own message (unknown option, missing argument, help).
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CliError || e instanceof CliUsageError || e instanceof LowbitError) {
      io.err(`error: ${oneLine(e.message)}\n`);
      return 1;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`error: internal error (please report it): ${err.stack ?? err.message}\n`);
    return 1;
  }
}
