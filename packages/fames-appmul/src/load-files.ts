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
import { LowbitConfigError, LowbitDataError, checkObject } from '@lowbit/quant-core';
import type { AppMul } from './appmul.js';
import { parseEvoApproxBin, type EvoApproxFigures } from './evoapprox.js';
import { lutByteLength, parseLut, type LutOptions } from './lut-file.js';
import { readBoundedFile } from './read-bounded.js';

/** Size of an EvoApproxLib `.bin` table: 2^16 products of 2 bytes. */
const EVOAPPROX_BIN_BYTES = 2 ** 16 * 2;
/** Largest `multipliers.json` read (the full EvoApproxLib 8-bit list is well under 1 MiB). */
const MAX_FIGURES_BYTES = 4 * 2 ** 20;

function checkDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir.length === 0) throw new LowbitConfigError('dir', dir, 'expected a folder path');
  return dir;
}

/** Reads `multipliers.json` from `dir` (Node only). */
export async function readEvoApproxFigures(dir: string): Promise<Record<string, EvoApproxFigures>> {
  checkDir(dir);
  const { join } = await import('node:path');
  const file = join(dir, 'multipliers.json');
  const bytes = await readBoundedFile(file, { maxBytes: MAX_FIGURES_BYTES }, 'EvoApproxLib figures (JSON)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new LowbitDataError(file, `cannot parse: ${(e as Error).message}`);
  }
  const multipliers = (parsed as { multipliers?: unknown })?.multipliers;
  if (typeof multipliers !== 'object' || multipliers === null || Array.isArray(multipliers))
    throw new LowbitDataError(file, 'has no "multipliers" object');
  return multipliers as Record<string, EvoApproxFigures>;
}

/** Loads one multiplier `name` (file `<dir>/<name>.bin`, exactly 131,072 bytes) with its published figures. */
export async function loadEvoApproxMultiplier(dir: string, name: string, figures?: EvoApproxFigures): Promise<AppMul> {
  checkDir(dir);
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name) || name.startsWith('.'))
    throw new LowbitConfigError('name', name, 'expected a multiplier name such as "mul8u_1JFF"');
  if (figures !== undefined) checkObject('figures', figures, 'published figures { pwr, ... }');
  const all = figures ? undefined : await readEvoApproxFigures(dir);
  const fig = figures ?? (Object.hasOwn(all!, name) ? all![name] : undefined);
  if (!fig) throw new LowbitConfigError('name', name, `not listed in ${dir}/multipliers.json`);
  const { join } = await import('node:path');
  const file = join(dir, `${name}.bin`);
  const bytes = await readBoundedFile(file, { exactBytes: EVOAPPROX_BIN_BYTES }, 'an EvoApproxLib 8x8 table');
  return parseEvoApproxBin(bytes, file, fig, name);
}

/** Every multiplier listed in `<dir>/multipliers.json`, in name order. */
export async function loadEvoApproxLibrary(dir: string): Promise<AppMul[]> {
  const figures = await readEvoApproxFigures(dir);
  const out: AppMul[] = [];
  for (const name of Object.keys(figures).sort()) out.push(await loadEvoApproxMultiplier(dir, name, figures[name]));
  return out;
}

/**
 * Reads a LUT file (Node only) and parses it with {@link parseLut}. The options are checked and the
 * file's size compared with {@link lutByteLength} before it is opened; only regular files are read.
 */
export async function loadLutFile(path: string, options: LutOptions): Promise<AppMul> {
  if (typeof path !== 'string' || path.length === 0) throw new LowbitConfigError('path', path, 'expected a file path');
  const expected = lutByteLength(options);
  const { a, w, elementBytes } = options;
  const what = `a ${a.bits}x${w.bits}-bit LUT of ${elementBytes}-byte products`;
  const bytes = await readBoundedFile(path, { exactBytes: expected }, what);
  return parseLut(bytes, options, path);
}
