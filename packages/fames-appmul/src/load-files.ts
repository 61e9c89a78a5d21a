/**
 * The Node-only loaders of fames-appmul: read multiplier tables from the local file system
 * (`node:fs`), behind the `@lowbit/fames-appmul/node` entry so the main entry bundles for the
 * browser. Everything they parse with (`parseLut`, `parseEvoApproxBin`) is in the main entry, for
 * bytes obtained any other way (`fetch`, a file input).
 *
 * ```ts
 * import { loadEvoApproxLibrary, loadLutFile } from '@lowbit/fames-appmul/node';
 * const lib = await loadEvoApproxLibrary('/path/to/evoapprox-mul8u');
 * ```
 */
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import type { AppMul } from './appmul.js';
import { parseEvoApproxBin, type EvoApproxFigures } from './evoapprox.js';
import { parseLut, type LutOptions } from './lut-file.js';

/** Reads `multipliers.json` from `dir` (Node only). */
export async function readEvoApproxFigures(dir: string): Promise<Record<string, EvoApproxFigures>> {
  if (typeof dir !== 'string' || dir.length === 0) throw new LowbitConfigError('dir', dir, 'expected a folder path');
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const file = join(dir, 'multipliers.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new LowbitDataError(file, `cannot read or parse: ${(e as Error).message}`);
  }
  const multipliers = (parsed as { multipliers?: unknown })?.multipliers;
  if (typeof multipliers !== 'object' || multipliers === null)
    throw new LowbitDataError(file, 'has no "multipliers" object');
  return multipliers as Record<string, EvoApproxFigures>;
}

/** Loads one multiplier `name` (file `<dir>/<name>.bin`) with its published figures. */
export async function loadEvoApproxMultiplier(dir: string, name: string, figures?: EvoApproxFigures): Promise<AppMul> {
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name))
    throw new LowbitConfigError('name', name, 'expected a multiplier name such as "mul8u_1JFF"');
  const all = figures ? undefined : await readEvoApproxFigures(dir);
  const fig = figures ?? all![name];
  if (!fig) throw new LowbitConfigError('name', name, `not listed in ${dir}/multipliers.json`);
  const { join } = await import('node:path');
  const { readFile } = await import('node:fs/promises');
  const file = join(dir, `${name}.bin`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    throw new LowbitDataError(file, `cannot read the table: ${(e as Error).message}`);
  }
  return parseEvoApproxBin(bytes, file, fig, name);
}

/** Every multiplier listed in `<dir>/multipliers.json`, in name order. */
export async function loadEvoApproxLibrary(dir: string): Promise<AppMul[]> {
  const figures = await readEvoApproxFigures(dir);
  const out: AppMul[] = [];
  for (const name of Object.keys(figures).sort()) out.push(await loadEvoApproxMultiplier(dir, name, figures[name]));
  return out;
}

/** Reads a LUT file (Node only) and parses it with {@link parseLut}. */
export async function loadLutFile(path: string, options: LutOptions): Promise<AppMul> {
  if (typeof path !== 'string' || path.length === 0) throw new LowbitConfigError('path', path, 'expected a file path');
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new LowbitDataError(path, `cannot read the LUT file: ${(e as Error).message}`);
  }
  return parseLut(bytes, options, path);
}
