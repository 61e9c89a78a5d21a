/**
 * The WRPN precision policy: which bit widths each weight layer uses. WRPN lowers weights and
 * activations everywhere except, by default, the first convolution and the last dense layer,
 * which stay at `firstLastBits` (8). The policy is explicit data: print it, override any layer by
 * name, and the model builder applies it.
 *
 * A layer's `inputBits` is the precision of its input activations (what its multipliers see), so
 * bit-ops are `MACs x weightBits x inputBits`. `32` means float (no quantizer). The label keeps the
 * paper's notation: `w4a4` is 4-bit weights and 4-bit (input) activations.
 *
 * ```ts
 * const policy = wrpnPolicy({ weightBits: 2, inputBits: 4 });          // first/last at 8 bits
 * policy.bitsFor('conv1', 'first');  // { weightBits: 8, inputBits: 8 }
 * policy.bitsFor('conv2', 'inner');  // { weightBits: 2, inputBits: 4 }
 * wrpnPolicy({ weightBits: 4, inputBits: 4, overrides: { fc1: { weightBits: 8 } } });
 * wrpnPolicy({ weightBits: 32, inputBits: 32 });                         // float baseline
 * ```
 */
import { checkKnownKeys, checkRenamedOptions, LowbitConfigError } from '@lowbit/quant-core';

/** Bit widths of one weight layer: its weights and its input activations (32 = float). */
export interface LayerBits {
  weightBits: number;
  inputBits: number;
}

export type LayerPosition = 'first' | 'inner' | 'last';

export interface WrpnPolicyOptions {
  /** Weight bits of the inner layers: 1-16, or 32 for float. */
  weightBits: number;
  /** Input (activation) bits of the inner layers: 1-16, or 32 for float. */
  inputBits: number;
  /** Weight and input bits of the first and last weight layers; `null` treats them as inner. Default 8. */
  firstLastBits?: number | null;
  /** Per-layer-name bits: a number sets both, an object sets either. Applied last. */
  overrides?: Record<string, number | Partial<LayerBits>>;
}

export interface WrpnPolicy {
  readonly weightBits: number;
  readonly inputBits: number;
  readonly firstLastBits: number | null;
  readonly overrides: Readonly<Record<string, Partial<LayerBits>>>;
  /** Bits of the weight layer `name` at `position` in the network. */
  bitsFor(name: string, position: LayerPosition): LayerBits;
  /** Short label: `fp32`, `w4a4`, `w2a4 (first/last 8)`. */
  label(): string;
}

/** Checks a bit width: an integer 1-16, or 32 (float). */
export function checkBits(argument: string, value: unknown): number {
  if (typeof argument !== 'string' || argument.length === 0) {
    throw new LowbitConfigError('argument', argument, 'expected the name of the checked argument (a non-empty string)');
  }
  const ok = typeof value === 'number' && Number.isInteger(value) && ((value >= 1 && value <= 16) || value === 32);
  if (ok) return value as number;
  throw new LowbitConfigError(argument, value, 'expected an integer bit width from 1 to 16, or 32 for float');
}

/** The option the previous release called `activationBits`: a typed error naming the new one. */
function renamedActivationBits(argument: string, value: object): void {
  checkRenamedOptions(argument, value, { activationBits: 'inputBits' });
}

export function wrpnPolicy(options: WrpnPolicyOptions): WrpnPolicy {
  if (options === null || typeof options !== 'object') {
    throw new LowbitConfigError('options', options, 'expected { weightBits, inputBits, firstLastBits?, overrides? }');
  }
  renamedActivationBits('wrpnPolicy', options);
  checkKnownKeys('wrpnPolicy', options, ['weightBits', 'inputBits', 'firstLastBits', 'overrides']);
  const weightBits = checkBits('weightBits', options.weightBits);
  const inputBits = checkBits('inputBits', options.inputBits);
  const firstLastBits = options.firstLastBits === null ? null : checkBits('firstLastBits', options.firstLastBits ?? 8);
  const overrides: Record<string, Partial<LayerBits>> = {};
  const given = options.overrides ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new LowbitConfigError('overrides', given, 'expected { layerName: bits | { weightBits?, inputBits? } }');
  }
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'number') {
      const b = checkBits(`overrides.${name}`, value);
      overrides[name] = { weightBits: b, inputBits: b };
    } else if (value !== null && typeof value === 'object') {
      renamedActivationBits(`overrides.${name}`, value);
      checkKnownKeys(`overrides.${name}`, value, ['weightBits', 'inputBits']);
      const o: Partial<LayerBits> = {};
      if (value.weightBits !== undefined) o.weightBits = checkBits(`overrides.${name}.weightBits`, value.weightBits);
      if (value.inputBits !== undefined) o.inputBits = checkBits(`overrides.${name}.inputBits`, value.inputBits);
      overrides[name] = o;
    } else {
      throw new LowbitConfigError(`overrides.${name}`, value, 'expected a bit width or { weightBits?, inputBits? }');
    }
  }
  return {
    weightBits,
    inputBits,
    firstLastBits,
    overrides,
    bitsFor(name: string, position: LayerPosition): LayerBits {
      const edge = position !== 'inner' && firstLastBits !== null;
      // An edge layer never goes below the inner precision (a float baseline stays float).
      const base: LayerBits = edge
        ? { weightBits: Math.max(firstLastBits, weightBits), inputBits: Math.max(firstLastBits, inputBits) }
        : { weightBits, inputBits };
      return { ...base, ...overrides[name] };
    },
    label(): string {
      if (weightBits === 32 && inputBits === 32) return 'fp32';
      const inner = `w${weightBits === 32 ? 'f' : weightBits}a${inputBits === 32 ? 'f' : inputBits}`;
      if (firstLastBits === null) return inner;
      return `${inner} (first/last ${firstLastBits === 32 ? 'float' : `${firstLastBits}-bit`})`;
    },
  };
}
