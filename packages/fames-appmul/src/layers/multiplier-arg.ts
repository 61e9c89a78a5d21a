/**
 * The `multiplier` argument of the AppMul layers: an {@link AppMul}, its name (resolved with
 * {@link resolveAppMul}), or null/undefined for exact products.
 */
import { AppMul } from '../appmul.js';
import { resolveAppMul } from '../appmul-registry.js';

export function resolveMultiplierArg(m: AppMul | string | null | undefined): AppMul | null {
  return m == null ? null : m instanceof AppMul ? m : resolveAppMul(m);
}
