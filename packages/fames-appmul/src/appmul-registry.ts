/**
 * Multipliers by name, so that a layer's arithmetic can save which multiplier it uses
 * (`getConfig`) and find it again on load. Behavioural designs resolve from their names alone
 * (`trunc4_a8u_w8s`: the library for a8u x w8s is built and searched); loaded tables (user LUTs,
 * EvoApproxLib) resolve once registered with {@link registerAppMul} (or are saved inline, see
 * `multiplierConfig`).
 *
 * tfjs snake-cases config strings when it saves a model and camel-cases them when it loads one, so
 * a saved `trunc3_a4u_w4s` comes back as `trunc3A4uW4s` and `mul8u_1JFF` as `mul8u1jff`. A name
 * that is not found as given is therefore also looked up by its folded form (underscores dropped,
 * lower case); a folded form two multipliers share is an error naming both.
 *
 * ```ts
 * registerAppMul(await loadEvoApproxMultiplier(dir, 'mul8u_2AC'));
 * resolveAppMul('mul8u_2AC');        // the registered table
 * resolveAppMul('drum4_a8u_w8s');    // rebuilt from the behavioural library
 * resolveAppMul('drum4A8uW8s');      // the same, as tfjs hands a saved name back
 * ```
 */
import { LowbitConfigError } from '@lowbit/quant-core';
import { AppMul } from './appmul.js';
import { appMulLibrary } from './library.js';

const registered = new Map<string, AppMul>();

/** Makes `m` resolvable by its name (replaces an earlier registration of the same name). */
export function registerAppMul(m: AppMul): void {
  if (!(m instanceof AppMul)) throw new LowbitConfigError('m', m, 'expected an AppMul to register');
  registered.set(m.name, m);
}

/** Names of the registered (non-behavioural) multipliers. */
export function registeredAppMuls(): string[] {
  return [...registered.keys()].sort();
}

/** A name with underscores dropped and in lower case: what survives tfjs's save / load round trip. */
export function foldAppMulName(name: string): string {
  if (typeof name !== 'string') throw new LowbitConfigError('name', name, 'expected a multiplier name');
  return name.replace(/_/g, '').toLowerCase();
}

/** The library of the operand widths a (possibly folded) behavioural name ends with, if any. */
function libraryFor(name: string): AppMul[] {
  const match =
    /_a([2-8])([us])_w([2-8])([us])$/.exec(name) ?? /a([2-8])([us])w([2-8])([us])$/.exec(foldAppMulName(name));
  if (!match) return [];
  const a = { bits: Number(match[1]), signed: match[2] === 's' };
  const w = { bits: Number(match[3]), signed: match[4] === 's' };
  return appMulLibrary({ a, w });
}

/** The multiplier called `name` (registered first, then the behavioural library), or null. */
export function findAppMul(name: string): AppMul | null {
  if (typeof name !== 'string' || name.length === 0) return null;
  const hit = registered.get(name);
  if (hit) return hit;
  const library = libraryFor(name);
  const exact = library.find((m) => m.name === name);
  if (exact) return exact;
  const folded = foldAppMulName(name);
  const matches = [...registered.values(), ...library].filter((m) => foldAppMulName(m.name) === folded);
  const distinct = [...new Set(matches)];
  if (distinct.length > 1) {
    const names = distinct.map((m) => m.name).join(', ');
    throw new LowbitConfigError(
      'multiplier',
      name,
      `matches several multipliers once tfjs's renaming is undone: ${names}`,
    );
  }
  return distinct[0] ?? null;
}

/** The multiplier called `name`: registered first, else from the behavioural library. */
export function resolveAppMul(name: string): AppMul {
  if (typeof name !== 'string' || name.length === 0) {
    throw new LowbitConfigError('multiplier', name, 'expected a multiplier name');
  }
  const found = findAppMul(name);
  if (found) return found;
  const known = registeredAppMuls().join(', ') || 'none';
  throw new LowbitConfigError(
    'multiplier',
    name,
    'unknown multiplier: register it with registerAppMul, or use a library name such as "trunc4_a8u_w8s" ' +
      `(registered: ${known})`,
  );
}
