/**
 * EvoApproxLib 8x8 unsigned multipliers in the TFApprox `.bin` format: 65,536 little-endian uint16
 * products, entry `a * 256 + b` (a = activation, first operand). Published figures come from a
 * `multipliers.json` beside the tables (`{ multipliers: { name: { pwr, area, delay, 'mae%', ... } } }`).
 *
 * Energy: the published 45 nm power relative to the exact design's (`mul8u_1JFF`, 0.391 mW),
 * times the exact 8x8 multiplier's energy ({@link exactMultiplyEnergyPj}); `energySource: 'published'`.
 *
 * ```ts
 * const lib = await loadEvoApproxLibrary('/path/to/evoapprox-mul8u');
 * lib.find((m) => m.name === 'mul8u_1JFF')!.isExact(); // true
 * ```
 */
import { LowbitConfigError, LowbitDataError } from '@lowbit/quant-core';
import type { AppMul } from './appmul.js';
import { exactMultiplyEnergyPj } from './energy.js';
import { parseLut } from './lut-file.js';

const EIGHT_BIT_UNSIGNED = { bits: 8, signed: false } as const;

/** Published figures of one EvoApproxLib multiplier (as in multipliers.json). */
export interface EvoApproxFigures {
  pwr: number;
  area?: number;
  delay?: number;
  'mae%'?: number;
  'wce%'?: number;
  'mre%'?: number;
  'ep%'?: number;
  'wcre%'?: number;
}

/** Power of the exact 8x8 EvoApproxLib multiplier, mul8u_1JFF (mW, PDK45). */
export const EVOAPPROX_EXACT_POWER_MW = 0.391;

/** Parses one `.bin` table; the published power `figures.pwr` sets the energy; `source` names it in errors. */
export function parseEvoApproxBin(bytes: Uint8Array, source: string, figures: EvoApproxFigures, name = source): AppMul {
  if (typeof figures?.pwr !== 'number' || !Number.isFinite(figures.pwr) || figures.pwr < 0) {
    throw new LowbitDataError(source, `published power "pwr" = ${figures?.pwr} is not a finite number >= 0`);
  }
  const params: Record<string, number> = {};
  for (const [k, v] of Object.entries(figures)) if (typeof v === 'number') params[k] = v;
  return parseLut(
    bytes,
    {
      name,
      family: 'evoapprox',
      a: EIGHT_BIT_UNSIGNED,
      w: EIGHT_BIT_UNSIGNED,
      elementBytes: 2,
      elementSigned: false,
      energyPj: (exactMultiplyEnergyPj(8, 8) * figures.pwr) / EVOAPPROX_EXACT_POWER_MW,
      energySource: 'published',
      params,
    },
    source,
  );
}

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
  if (typeof multipliers !== 'object' || multipliers === null) throw new LowbitDataError(file, 'has no "multipliers" object');
  return multipliers as Record<string, EvoApproxFigures>;
}

/** Loads one multiplier `name` (file `<dir>/<name>.bin`) with its published figures. */
export async function loadEvoApproxMultiplier(dir: string, name: string, figures?: EvoApproxFigures): Promise<AppMul> {
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw new LowbitConfigError('name', name, 'expected a multiplier name such as "mul8u_1JFF"');
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
