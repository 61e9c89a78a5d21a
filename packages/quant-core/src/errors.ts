/**
 * Typed errors raised by every lowbit package.
 *
 * - {@link LowbitConfigError}: a bad argument or setting (bit width out of range, unknown
 *   quantizer name, wrong rank). The message names the argument, the value and what is allowed.
 * - {@link LowbitDataError}: bad data (corrupt packed bytes, truncated weights file, checksum
 *   mismatch, NaN where a scale is needed).
 *
 * ```ts
 * try { uniform({ bits: 33 }); }
 * catch (e) { if (e instanceof LowbitConfigError) console.log(e.argument, e.value); }
 * ```
 */
export class LowbitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad argument or configuration. `argument` names it, `value` is what was given. */
export class LowbitConfigError extends LowbitError {
  readonly argument: string;
  readonly value: unknown;
  constructor(argument: string, value: unknown, allowed: string) {
    super(`${argument} = ${describeValue(value)} is invalid: ${allowed}`);
    this.argument = argument;
    this.value = value;
  }
}

/** Bad data: corrupt or truncated bytes, checksum mismatch, non-finite values. */
export class LowbitDataError extends LowbitError {
  readonly source: string;
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.source = source;
  }
}

/** A short printable form of any value, for error messages (never the whole of a big array). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) {
    const head = value.slice(0, 6).map(describeValue).join(', ');
    return `[${head}${value.length > 6 ? `, ... (${value.length} items)` : ''}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (typeof value === 'object') {
    const rank = (value as { rank?: unknown; shape?: unknown }).shape;
    if (Array.isArray(rank)) return `Tensor(shape [${rank.join(', ')}])`;
    try {
      const s = JSON.stringify(value);
      return s.length > 80 ? `${s.slice(0, 77)}...` : s;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return typeof value;
}
