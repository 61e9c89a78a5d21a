/**
 * Multipliers by name, so that layers can save which multiplier they use (`getConfig`) and load
 * it again. Behavioural designs resolve from their names alone (`trunc4_a8u_w8s`: the library for
 * a8u x w8s is built and searched); loaded tables (user LUTs, EvoApproxLib) must be registered
 * with {@link registerAppMul} before a model that names them is loaded.
 *
 * ```ts
 * registerAppMul(await loadEvoApproxMultiplier(dir, 'mul8u_2AC'));
 * resolveAppMul('mul8u_2AC');        // the registered table
 * resolveAppMul('drum4_a8u_w8s');    // rebuilt from the behavioural library
 * ```
 */
import { LowbitConfigError } from '@lowbit/quant-core';
import type { AppMul } from './appmul.js';
import { appMulLibrary } from './library.js';

const registered = new Map<string, AppMul>();

/** Makes `m` resolvable by its name (replaces an earlier registration of the same name). */
export function registerAppMul(m: AppMul): void {
  registered.set(m.name, m);
}

/** Names of the registered (non-behavioural) multipliers. */
export function registeredAppMuls(): string[] {
  return [...registered.keys()].sort();
}

/** The multiplier called `name`: registered first, else from the behavioural library. */
export function resolveAppMul(name: string): AppMul {
  if (typeof name !== 'string' || name.length === 0) throw new LowbitConfigError('multiplier', name, 'expected a multiplier name');
  const hit = registered.get(name);
  if (hit) return hit;
  const match = /_a([2-8])([us])_w([2-8])([us])$/.exec(name);
  if (match) {
    const lib = appMulLibrary({ a: { bits: Number(match[1]), signed: match[2] === 's' }, w: { bits: Number(match[3]), signed: match[4] === 's' } });
    const found = lib.find((m) => m.name === name);
    if (found) return found;
  }
  throw new LowbitConfigError('multiplier', name, `unknown multiplier: register it with registerAppMul, or use a library name such as "trunc4_a8u_w8s" (registered: ${registeredAppMuls().join(', ') || 'none'})`);
}
