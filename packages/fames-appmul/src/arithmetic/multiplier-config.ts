/**
 * How an AppMul is saved in a layer's config (`LowbitAppMulArithmetic`'s `multiplier` and
 * `table`): by name when the name alone finds the same table again (a behavioural library design,
 * or a table registered with `registerAppMul`), otherwise inline, as its full product table.
 *
 * ```ts
 * multiplierConfig(resolveAppMul('trunc3_a4u_w4s')); // { multiplier: 'trunc3_a4u_w4s' }
 * multiplierConfig(myLut);                           // { multiplier: 'mine', table: { name: 'mine', ... } }
 * multiplierFromConfig('trunc3A4uW4s', undefined);   // the library design (tfjs camel-cases saved strings)
 * ```
 *
 * The inline table keeps the name under a `name` key, which tfjs leaves as it is when it saves and
 * loads a model (it snake-cases other strings on save and camel-cases them on load, so a name
 * string such as `mul8u_1JFF` comes back as `mul8u1jff`; `resolveAppMul` accepts that form).
 */
import { LowbitConfigError, LowbitDataError, checkKnownKeys } from '@lowbit/quant-core';
import { AppMul, type EnergySource } from '../appmul.js';
import { findAppMul, resolveAppMul } from '../appmul-registry.js';
import { checkOperand, type OperandSpec } from '../operand.js';

const ENERGY_SOURCES: readonly EnergySource[] = ['gate-count proxy', 'published', 'user'];

/** An AppMul as plain JSON: its product table in the `AppMul.table` layout, and its energy. */
export interface AppMulTable {
  name: string;
  family?: string;
  a: OperandSpec;
  w: OperandSpec;
  /** `2^(a.bits + w.bits)` integer products, entry `pattern(a) * 2^w.bits + pattern(w)`. */
  products: number[];
  /** Energy of one multiplication in pJ. */
  energyPj: number;
  energySource?: EnergySource;
}

/** What the arithmetic's config holds for its multiplier. */
export interface MultiplierConfig {
  /** The multiplier's name; null: exact products. */
  multiplier: string | null;
  /** The full table, when the name alone does not find it again. */
  table?: AppMulTable;
}

/** The JSON form of `m`. */
export function appMulToTable(m: AppMul): AppMulTable {
  if (!(m instanceof AppMul)) throw new LowbitConfigError('m', m, 'expected an AppMul');
  return {
    name: m.name,
    family: m.family,
    a: { ...m.a },
    w: { ...m.w },
    products: Array.from(m.table),
    energyPj: m.energyPj,
    energySource: m.energySource,
  };
}

/** An AppMul from its JSON form; a malformed table is a LowbitDataError / LowbitConfigError naming it. */
export function appMulFromTable(t: AppMulTable, argument = 'table'): AppMul {
  if (typeof argument !== 'string' || argument.length === 0)
    throw new LowbitConfigError('argument', argument, 'expected the name of the table in errors (a non-empty string)');
  if (typeof t !== 'object' || t === null || Array.isArray(t))
    throw new LowbitConfigError(argument, t, 'expected { name, a, w, products, energyPj }');
  checkKnownKeys(argument, t, ['name', 'family', 'a', 'w', 'products', 'energyPj', 'energySource']);
  if (typeof t.name !== 'string' || t.name.length === 0)
    throw new LowbitConfigError(`${argument}.name`, t.name, 'expected a non-empty string');
  const a = checkOperand(`${argument}.a`, t.a);
  const w = checkOperand(`${argument}.w`, t.w);
  const size = 2 ** (a.bits + w.bits);
  if (!Array.isArray(t.products) || t.products.length !== size) {
    const got = Array.isArray(t.products) ? `${t.products.length} products` : typeof t.products;
    throw new LowbitDataError(
      `${argument} ${t.name}`,
      `expected ${size} products (2^(${a.bits}+${w.bits})), got ${got}`,
    );
  }
  const table = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const p = t.products[i];
    if (typeof p !== 'number' || !Number.isInteger(p) || Math.abs(p) > 2 ** 31 - 1) {
      throw new LowbitDataError(`${argument} ${t.name}`, `product ${i} is ${String(p)}, not a 32-bit integer`);
    }
    table[i] = p;
  }
  const energySource = t.energySource ?? 'user';
  if (!ENERGY_SOURCES.includes(energySource)) {
    throw new LowbitConfigError(
      `${argument}.energySource`,
      energySource,
      `expected one of ${ENERGY_SOURCES.join(', ')}`,
    );
  }
  return new AppMul({ name: t.name, family: t.family ?? 'lut', a, w, table, energyPj: t.energyPj, energySource });
}

function sameTable(x: Int32Array, y: Int32Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The config of `m`: its name when that finds the same table again, else the table inline. */
export function multiplierConfig(m: AppMul | null): MultiplierConfig {
  if (m === null) return { multiplier: null };
  if (!(m instanceof AppMul)) throw new LowbitConfigError('m', m, 'expected an AppMul or null (exact products)');
  const byName = findAppMul(m.name);
  if (byName !== null && (byName === m || (sameTable(byName.table, m.table) && byName.energyPj === m.energyPj))) {
    return { multiplier: m.name };
  }
  return { multiplier: m.name, table: appMulToTable(m) };
}

/** The AppMul a config names (`table` wins over the name); null for exact products. */
export function multiplierFromConfig(
  multiplier: AppMul | string | null | undefined,
  table: AppMulTable | null | undefined,
): AppMul | null {
  if (table != null) return appMulFromTable(table);
  if (multiplier == null) return null;
  if (multiplier instanceof AppMul) return multiplier;
  if (typeof multiplier !== 'string') {
    throw new LowbitConfigError('multiplier', multiplier, 'expected an AppMul, a multiplier name, or null (exact)');
  }
  return resolveAppMul(multiplier);
}
