/**
 * `lowbit suite [args...]`: the repository's suite (tools/suite: trains the float baseline and
 * every technique, prints the comparison table, writes the HTML report). It lives in the lowbit
 * repository, not in this package (a publishable package never depends on tools/*), so this
 * command finds the checkout around the working directory and runs, as the root `npm start`
 * does, `npm run build` and then `npm run start -w tools/suite -- <args>` as child processes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliUsageError, type CliIO } from '../io.js';

export const SUITE_WORKSPACE = 'tools/suite';

/**
 * The root of the lowbit checkout containing `from`: the nearest directory, walking up, with a
 * package.json named "lowbit" and a tools/suite workspace. Undefined outside a checkout.
 */
export function findCheckout(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(join(dir, SUITE_WORKSPACE, 'package.json'))) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'lowbit') return dir;
      } catch {
        // an unreadable package.json is not the checkout's root; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface SuiteCommandOptions {
  /** Build the packages first (default true; `--no-build` skips it). */
  build?: boolean;
}

/** Runs the suite; resolves with the exit code to return. */
export async function suiteCommand(args: string[], options: SuiteCommandOptions, io: CliIO): Promise<number> {
  const root = findCheckout(io.cwd);
  if (root === undefined) {
    throw new CliUsageError(
      `lowbit suite runs the suite of a lowbit repository checkout, and ${io.cwd} is not inside one ` +
        '(no package.json named "lowbit" with tools/suite above it). The suite runs from a clone: ' +
        'clone the lowbit repository, then run `npm ci && npm start` (or `npx lowbit suite`) in it.',
    );
  }
  if (options.build !== false) {
    const code = await io.spawn({ command: 'npm', args: ['run', 'build', '--silent'], cwd: root });
    if (code !== 0) {
      io.err(`error: npm run build failed with exit code ${code} in ${root}; the suite runs on the built packages\n`);
      return code;
    }
  }
  return io.spawn({ command: 'npm', args: ['run', 'start', '-w', SUITE_WORKSPACE, '--', ...args], cwd: root });
}
