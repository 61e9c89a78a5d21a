/**
 * Where the CLI writes and what it may start: the process's streams for `lowbit`, captured
 * strings in tests. Also the one error type for user mistakes, printed as one line.
 *
 * ```ts
 * const io = processIO();                         // stdout/stderr of this process
 * io.out('text\n');
 * throw new CliError('--config', 'cfg.json', 'not valid JSON (Unexpected token)');
 * ```
 */
import { spawn } from 'node:child_process';
import { describeValue } from '@lowbit/quant-core/errors';

/** A child process to start; resolves with its exit code. */
export interface SpawnRequest {
  command: string;
  args: string[];
  cwd: string;
}

export interface CliIO {
  /** Standard output: tables, JSON, results. */
  out(text: string): void;
  /** Standard error: warnings, progress, errors. */
  err(text: string): void;
  /** True when stderr is a terminal (progress bars); false gives plain log lines. */
  errIsTTY: boolean;
  /** The stream progress bars draw on (only read when `errIsTTY`). */
  errStream?: NodeJS.WriteStream;
  /** Directory that relative paths and the checkout search start from. */
  cwd: string;
  /** Runs a child process with inherited stdio; resolves with its exit code. */
  spawn(request: SpawnRequest): Promise<number>;
}

/** The IO of the current process. */
export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errIsTTY: process.stderr.isTTY === true,
    errStream: process.stderr,
    cwd: process.cwd(),
    spawn: spawnInherit,
  };
}

/** Starts `command` with the terminal's stdio; a child killed by a signal counts as exit code 1. */
export function spawnInherit({ command, args, cwd }: SpawnRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    // npm is npm.cmd on Windows, which needs a shell there.
    const child = spawn(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * A user mistake (bad path, bad file, bad value). The CLI prints `error: <message>` on one line
 * and exits with code 1, never a stack trace. The message names the argument, the value and
 * what is allowed, in the same words as quant-core's LowbitConfigError.
 */
export class CliError extends Error {
  readonly argument: string;
  readonly value: unknown;
  constructor(argument: string, value: unknown, allowed: string, message?: string) {
    super(message ?? `${argument} = ${describeValue(value)} is invalid: ${oneLine(allowed)}`);
    this.name = 'CliError';
    this.argument = argument;
    this.value = value;
  }

  /**
   * An error found inside what the argument points to (a file's contents, a config entry):
   * `<argument> "<value>": <problem>`, the problem already naming its own field and value.
   */
  static inside(argument: string, value: unknown, problem: string): CliError {
    return new CliError(argument, value, problem, `${argument} ${describeValue(value)}: ${oneLine(problem)}`);
  }
}

/** A user mistake that is not about one argument's value (e.g. `lowbit suite` outside a checkout). */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'CliUsageError';
  }
}

/** Collapses whitespace runs (newlines included) to single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
