/**
 * EvoApproxLib 8x8 unsigned multipliers in the TFApprox `.bin` format: 65,536 little-endian uint16
 * products, entry `a * 256 + b` (a = activation, first operand). Published figures come from a
 * `multipliers.json` beside the tables (`{ multipliers: { name: { pwr, area, delay, 'mae%', ... } } }`).
 *
 * Energy: the published 45 nm power relative to the exact design's (`mul8u_1JFF`, 0.391 mW),
 * times the exact 8x8 multiplier's energy ({@link exactMultiplyEnergyPj}); `energySource: 'published'`.
 *
 * The loaders reading a folder of tables are Node-only and live in `@lowbit/fames-appmul/node`.
 *
 * ```ts
 * import { loadEvoApproxLibrary } from '@lowbit/fames-appmul/node';
 * const lib = await loadEvoApproxLibrary('/path/to/evoapprox-mul8u');
 * lib.find((m) => m.name === 'mul8u_1JFF')!.isExact(); // true
 * ```
 */
import { LowbitConfigError, LowbitDataError, checkObject } from '@lowbit/quant-core';
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
  if (typeof source !== 'string' || source.length === 0)
    throw new LowbitConfigError('source', source, 'expected a non-empty string naming the table in errors');
  checkObject('figures', figures, 'published figures { pwr, ... }');
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
