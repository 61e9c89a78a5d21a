/**
 * The WRPN precision policy: which bit widths each weight layer uses. WRPN lowers weights and
 * activations everywhere except, by default, the first convolution and the last dense layer,
 * which stay at `firstLastBits` (8). The policy is explicit data: print it, override any layer by
 * name, and the model builder applies it.
 *
 * A layer's `activationBits` is the precision of its *input* (what its multipliers see), so
 * bit-ops are `MACs x weightBits x activationBits`. `32` means float (no quantizer).
 *
 * ```ts
 * const policy = wrpnPolicy({ weightBits: 2, activationBits: 4 });          // first/last at 8 bits
 * policy.bitsFor('conv1', 'first');  // { weightBits: 8, activationBits: 8 }
 * policy.bitsFor('conv2', 'inner');  // { weightBits: 2, activationBits: 4 }
 * wrpnPolicy({ weightBits: 4, activationBits: 4, overrides: { fc1: { weightBits: 8 } } });
 * wrpnPolicy({ weightBits: 32, activationBits: 32 });                         // float baseline
 * ```
 */
import { checkKnownKeys, LowbitConfigError } from '@lowbit/quant-core';

/** Bit widths of one weight layer: its weights and its input activations (32 = float). */
export interface LayerBits {
  weightBits: number;
  activationBits: number;
}

export type LayerPosition = 'first' | 'inner' | 'last';

export interface WrpnPolicyOptions {
  /** Weight bits of the inner layers: 1-16, or 32 for float. */
  weightBits: number;
  /** Activation (layer input) bits of the inner layers: 1-16, or 32 for float. */
  activationBits: number;
  /** Weight and input bits of the first and last weight layers; `null` treats them as inner. Default 8. */
  firstLastBits?: number | null;
  /** Per-layer-name bits: a number sets both, an object sets either. Applied last. */
  overrides?: Record<string, number | Partial<LayerBits>>;
}

export interface WrpnPolicy {
  readonly weightBits: number;
  readonly activationBits: number;
  readonly firstLastBits: number | null;
  readonly overrides: Readonly<Record<string, Partial<LayerBits>>>;
  /** Bits of the weight layer `name` at `position` in the network. */
  bitsFor(name: string, position: LayerPosition): LayerBits;
  /** Short label: `fp32`, `w4a4`, `w2a4 (first/last 8)`. */
  label(): string;
}

/** Checks a bit width: an integer 1-16, or 32 (float). */
export function checkBits(argument: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && ((value >= 1 && value <= 16) || value === 32)) return value;
  throw new LowbitConfigError(argument, value, 'expected an integer bit width from 1 to 16, or 32 for float');
}

export function wrpnPolicy(options: WrpnPolicyOptions): WrpnPolicy {
  if (options === null || typeof options !== 'object') throw new LowbitConfigError('options', options, 'expected { weightBits, activationBits, firstLastBits?, overrides? }');
  checkKnownKeys('wrpnPolicy', options, ['weightBits', 'activationBits', 'firstLastBits', 'overrides']);
  const weightBits = checkBits('weightBits', options.weightBits);
  const activationBits = checkBits('activationBits', options.activationBits);
  const firstLastBits = options.firstLastBits === null ? null : checkBits('firstLastBits', options.firstLastBits ?? 8);
  const overrides: Record<string, Partial<LayerBits>> = {};
  const given = options.overrides ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new LowbitConfigError('overrides', given, 'expected { layerName: bits | { weightBits?, activationBits? } }');
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'number') {
      const b = checkBits(`overrides.${name}`, value);
      overrides[name] = { weightBits: b, activationBits: b };
    } else if (value !== null && typeof value === 'object') {
      checkKnownKeys(`overrides.${name}`, value, ['weightBits', 'activationBits']);
      const o: Partial<LayerBits> = {};
      if (value.weightBits !== undefined) o.weightBits = checkBits(`overrides.${name}.weightBits`, value.weightBits);
      if (value.activationBits !== undefined) o.activationBits = checkBits(`overrides.${name}.activationBits`, value.activationBits);
      overrides[name] = o;
    } else {
      throw new LowbitConfigError(`overrides.${name}`, value, 'expected a bit width or { weightBits?, activationBits? }');
    }
  }
  return {
    weightBits,
    activationBits,
    firstLastBits,
    overrides,
    bitsFor(name: string, position: LayerPosition): LayerBits {
      const edge = position !== 'inner' && firstLastBits !== null;
      // An edge layer never goes below the inner precision (a float baseline stays float).
      const base: LayerBits = edge
        ? { weightBits: Math.max(firstLastBits, weightBits), activationBits: Math.max(firstLastBits, activationBits) }
        : { weightBits, activationBits };
      return { ...base, ...overrides[name] };
    },
    label(): string {
      if (weightBits === 32 && activationBits === 32) return 'fp32';
      const inner = `w${weightBits === 32 ? 'f' : weightBits}a${activationBits === 32 ? 'f' : activationBits}`;
      return firstLastBits === null ? inner : `${inner} (first/last ${firstLastBits === 32 ? 'float' : `${firstLastBits}-bit`})`;
    },
  };
}
