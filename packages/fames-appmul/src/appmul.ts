/**
 * `AppMul`: one multiplier design for activation codes `a` (first operand) times weight codes `w`
 * (second operand), as its full product table plus its error metrics and energy.
 *
 * Table layout: `table[pattern(a) * 2^b_w + pattern(w)]` is the product, where `pattern(c)` is the
 * code's bit pattern (`c & (2^b - 1)`; the code itself for unsigned operands). This is the
 * EvoApproxLib / TFApprox order (`a * 256 + b`) with `a` the activation.
 *
 * ```ts
 * const m = truncatedMultiplier({ a: { bits: 4, signed: false }, w: { bits: 4, signed: true }, columns: 3 });
 * m.product(5, -3);      // the approximate product of codes 5 and -3
 * m.metrics().maePercent; m.energyPj; m.energySource; // 'gate-count proxy'
 * ```
 */
import {
  LowbitConfigError,
  LowbitDataError,
  checkFinite,
  checkFunction,
  checkKnownKeys,
  checkObject,
  checkOneOf,
} from '@lowbit/quant-core';
import { exactMultiplyEnergyPj, scaleEnergyByGates } from './energy.js';
import { errorMetrics, type ErrorMetrics } from './metrics.js';
import { checkOperand, codeRange, codesByPattern, type OperandSpec } from './operand.js';
import { keepAll, partialProductArrayGates, signMagnitudeWrapperGates } from './gate-count.js';

/** Where an `AppMul`'s energy figure comes from. */
export type EnergySource = 'gate-count proxy' | 'published' | 'user';

const ENERGY_SOURCES: readonly EnergySource[] = ['gate-count proxy', 'published', 'user'];

const INIT_KEYS = ['name', 'family', 'a', 'w', 'table', 'energyPj', 'energySource', 'gates', 'params'];

/** A plain object of report parameters (numbers, booleans, strings); `argument` names it in errors. */
function checkParams(argument: string, params: unknown): Record<string, number | boolean | string> {
  const p = checkObject<Record<string, unknown>>(argument, params, 'an object of numbers, booleans and strings');
  for (const [k, v] of Object.entries(p)) {
    const ok = typeof v === 'boolean' || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new LowbitConfigError(`${argument}.${k}`, v, 'expected a finite number, a boolean or a string');
  }
  return p as Record<string, number | boolean | string>;
}

export interface AppMulInit {
  name: string;
  /** Design family ('exact', 'truncated', 'broken-array', ..., 'lut' for loaded tables). */
  family: string;
  a: OperandSpec;
  w: OperandSpec;
  /** Products in the documented layout; 2^(a.bits + w.bits) entries. */
  table: Int32Array;
  /** Energy of one multiplication in pJ. */
  energyPj: number;
  energySource: EnergySource;
  /** Gate-count proxy of the circuit, when the energy came from it. */
  gates?: number;
  /** Family parameters, for reports. */
  params?: Record<string, number | boolean | string>;
}

export class AppMul {
  readonly name: string;
  readonly family: string;
  readonly a: OperandSpec;
  readonly w: OperandSpec;
  readonly table: Int32Array;
  readonly energyPj: number;
  readonly energySource: EnergySource;
  readonly gates: number | undefined;
  readonly params: Readonly<Record<string, number | boolean | string>>;
  private cachedMetrics?: ErrorMetrics;
  private cachedError?: Int32Array;
  private readonly aRange: [number, number];
  private readonly wRange: [number, number];

  constructor(init: AppMulInit) {
    checkObject('init', init, 'AppMul options { name, family, a, w, table, energyPj, energySource, ... }');
    checkKnownKeys('init', init, INIT_KEYS);
    if (typeof init.name !== 'string' || init.name.length === 0)
      throw new LowbitConfigError('name', init.name, 'expected a non-empty string');
    if (typeof init.family !== 'string' || init.family.length === 0)
      throw new LowbitConfigError('family', init.family, "expected a non-empty string (e.g. 'lut')");
    this.name = init.name;
    this.family = init.family;
    this.a = checkOperand('a', init.a);
    this.w = checkOperand('w', init.w);
    const size = 2 ** (this.a.bits + this.w.bits);
    if (!(init.table instanceof Int32Array) || init.table.length !== size) {
      throw new LowbitDataError(
        `AppMul ${init.name}`,
        `table must be an Int32Array of 2^(${this.a.bits}+${this.w.bits}) = ${size} products, got ${init.table instanceof Int32Array ? init.table.length : typeof init.table}`,
      );
    }
    if (typeof init.energyPj !== 'number' || !Number.isFinite(init.energyPj) || init.energyPj < 0) {
      throw new LowbitConfigError('energyPj', init.energyPj, 'expected a finite number >= 0 (pJ per multiplication)');
    }
    this.table = init.table;
    this.energyPj = init.energyPj;
    this.energySource = checkOneOf('energySource', init.energySource, ENERGY_SOURCES);
    this.gates = init.gates === undefined ? undefined : checkFinite('gates', init.gates, { min: 0 });
    this.params = Object.freeze({ ...(init.params === undefined ? {} : checkParams('params', init.params)) });
    this.aRange = codeRange(this.a);
    this.wRange = codeRange(this.w);
  }

  /** Number of rows (activation patterns) and columns (weight patterns) of the table. */
  get rows(): number {
    return 2 ** this.a.bits;
  }
  get cols(): number {
    return 2 ** this.w.bits;
  }

  /** The approximate product of activation code `a` and weight code `w`. */
  product(a: number, w: number): number {
    const [aLo, aHi] = this.aRange;
    const [wLo, wHi] = this.wRange;
    if (!Number.isInteger(a) || a < aLo || a > aHi)
      throw new LowbitConfigError('a', a, `expected an integer code in [${aLo}, ${aHi}]`);
    if (!Number.isInteger(w) || w < wLo || w > wHi)
      throw new LowbitConfigError('w', w, `expected an integer code in [${wLo}, ${wHi}]`);
    return this.table[(a & (this.rows - 1)) * this.cols + (w & (this.cols - 1))];
  }

  /** `E = M - a * w` in the table layout (cached). */
  errorTable(): Int32Array {
    if (!this.cachedError) {
      const ca = codesByPattern(this.a);
      const cw = codesByPattern(this.w);
      const e = new Int32Array(this.table.length);
      for (let i = 0; i < ca.length; i++)
        for (let j = 0; j < cw.length; j++) e[i * cw.length + j] = this.table[i * cw.length + j] - ca[i] * cw[j];
      this.cachedError = e;
    }
    return this.cachedError;
  }

  /** True when every product is exact. */
  isExact(): boolean {
    return this.errorTable().every((e) => e === 0);
  }

  /** Error metrics over all operand pairs (cached). */
  metrics(): ErrorMetrics {
    this.cachedMetrics ??= errorMetrics(this.table, this.a, this.w);
    return this.cachedMetrics;
  }

  /** A plain summary for reports and JSON. */
  describe(): Record<string, unknown> {
    return {
      name: this.name,
      family: this.family,
      a: this.a,
      w: this.w,
      params: this.params,
      energyPj: this.energyPj,
      energySource: this.energySource,
      gates: this.gates,
      ...this.metrics(),
    };
  }
}

/** Operand widths and signedness shared by every behavioural model's options. */
export interface OperandOptions {
  /** Activation operand (first). */
  a: OperandSpec;
  /** Weight operand (second). */
  w: OperandSpec;
}

/** Gate-count proxy of the exact multiplier for these operands (the energy reference). */
export function exactReferenceGates(a: OperandSpec, w: OperandSpec): number {
  checkOperand('a', a);
  checkOperand('w', w);
  return (
    partialProductArrayGates(keepAll(a.bits, w.bits)) + signMagnitudeWrapperGates(a.bits, a.signed, w.bits, w.signed)
  );
}

/**
 * Builds an `AppMul` from an unsigned core `core(|a|, |w|)` that works on `b_a`- and `b_w`-bit
 * magnitudes. Signed operands go through a sign-magnitude wrapper: `M(a, w) = sign(a) sign(w)
 * core(|a|, |w|)`; the magnitude of the most negative code, 2^(b-1), still fits the b-bit core.
 * Energy: gate-count proxy `coreGates` (+ wrapper) relative to the exact multiplier's gates,
 * times the exact multiplier's energy.
 */
export function behaviouralAppMul(
  options: OperandOptions,
  family: string,
  name: string,
  params: Record<string, number | boolean | string>,
  core: (magA: number, magW: number) => number,
  coreGates: number,
): AppMul {
  checkObject('options', options, '{ a, w }');
  checkKnownKeys('options', options, ['a', 'w']);
  const a = checkOperand('a', options.a);
  const w = checkOperand('w', options.w);
  if (typeof family !== 'string' || family.length === 0)
    throw new LowbitConfigError('family', family, 'expected a non-empty string');
  if (typeof name !== 'string' || name.length === 0)
    throw new LowbitConfigError('name', name, 'expected a non-empty string');
  checkParams('params', params);
  checkFunction('core', core);
  checkFinite('coreGates', coreGates, { min: 0 });
  const ca = codesByPattern(a);
  const cw = codesByPattern(w);
  const table = new Int32Array(ca.length * cw.length);
  for (let i = 0; i < ca.length; i++) {
    for (let j = 0; j < cw.length; j++) {
      const p = core(Math.abs(ca[i]), Math.abs(cw[j]));
      if (typeof p !== 'number' || !Number.isInteger(p) || Math.abs(p) > 2 ** 31 - 1) {
        throw new LowbitDataError(
          `behaviouralAppMul ${name}`,
          `core(${Math.abs(ca[i])}, ${Math.abs(cw[j])}) = ${String(p)} is not a 32-bit integer`,
        );
      }
      const negative = ca[i] < 0 !== cw[j] < 0;
      table[i * cw.length + j] = negative ? -p : p;
    }
  }
  const gates = coreGates + signMagnitudeWrapperGates(a.bits, a.signed, w.bits, w.signed);
  const energyPj = scaleEnergyByGates(gates, exactReferenceGates(a, w), exactMultiplyEnergyPj(w.bits, a.bits));
  const sign = (s: OperandSpec) => (s.signed ? 's' : 'u');
  return new AppMul({
    name: `${name}_a${a.bits}${sign(a)}_w${w.bits}${sign(w)}`,
    family,
    a,
    w,
    table,
    energyPj,
    energySource: 'gate-count proxy',
    gates,
    params,
  });
}
