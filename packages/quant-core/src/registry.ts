/**
 * The quantizer registry: quantizers are found by class name (as saved in model.json) or by a
 * short alias (`'wrpn'`, `'dorefa'`, `'log2'`, `'wage'`, ...). Names are only looked up, never
 * evaluated. Registering a class also registers it with tfjs serialization, so layers holding
 * quantizers save and load.
 *
 * ```ts
 * registerQuantizer(MyQuantizer, ['mine']);
 * const q = getQuantizer('mine');                         // default settings
 * const r = getQuantizer({ className: 'LowbitMyQuantizer', config: { bits: 3 } });
 * serializeQuantizer(r);                                   // { className, config }
 * ```
 */
import { serialization } from '@tensorflow/tfjs-core';
import { LowbitConfigError } from './errors.js';
import { Quantizer } from './quantizer.js';

export interface SerializedQuantizer {
  className: string;
  config: serialization.ConfigDict;
}

/** What layers accept for a quantizer argument. */
export type QuantizerIdentifier = Quantizer | string | SerializedQuantizer;

type AnyQuantizerClass = serialization.SerializableConstructor<Quantizer> & {
  className: string;
  fromConfig: (cls: serialization.SerializableConstructor<Quantizer>, config: serialization.ConfigDict) => Quantizer;
};

const byClassName = new Map<string, AnyQuantizerClass>();
const byAlias = new Map<string, AnyQuantizerClass>();

/** Registers a quantizer class under its `className` and the given aliases. */
export function registerQuantizer(cls: AnyQuantizerClass, aliases: readonly string[] = []): void {
  const name = cls.className;
  if (typeof name !== 'string' || !name.startsWith('Lowbit')) {
    throw new LowbitConfigError('className', name, 'quantizer classes need a static className starting with "Lowbit"');
  }
  const existing = byClassName.get(name);
  if (existing && existing !== cls) throw new LowbitConfigError('className', name, 'already registered by another class');
  byClassName.set(name, cls);
  serialization.registerClass(cls);
  for (const alias of aliases) {
    const other = byAlias.get(alias);
    if (other && other !== cls) throw new LowbitConfigError('alias', alias, `already used by ${other.className}`);
    byAlias.set(alias, cls);
  }
}

/** Every registered alias and class name, sorted. */
export function knownQuantizers(): string[] {
  return [...new Set([...byAlias.keys(), ...byClassName.keys()])].sort();
}

function lookup(name: string, argument: string): AnyQuantizerClass {
  const cls = byAlias.get(name) ?? byClassName.get(name);
  if (!cls) throw new LowbitConfigError(argument, name, `unknown quantizer; known: ${knownQuantizers().join(', ')}`);
  return cls;
}

/**
 * Resolves a quantizer argument: an instance is returned as is, a string is an alias or class
 * name (default settings), an object is `{ className, config }`. `null`/`undefined` give `null`
 * (no quantization).
 */
export function getQuantizer(identifier: QuantizerIdentifier | null | undefined, argument = 'quantizer'): Quantizer | null {
  if (identifier === null || identifier === undefined) return null;
  if (identifier instanceof Quantizer) return identifier;
  if (typeof identifier === 'string') {
    const cls = lookup(identifier, argument);
    return cls.fromConfig(cls, {});
  }
  if (typeof identifier === 'object' && typeof identifier.className === 'string') {
    const cls = lookup(identifier.className, `${argument}.className`);
    const config = identifier.config ?? {};
    if (typeof config !== 'object' || Array.isArray(config)) {
      throw new LowbitConfigError(`${argument}.config`, config, 'expected an object');
    }
    return cls.fromConfig(cls, config);
  }
  throw new LowbitConfigError(argument, identifier, 'expected a Quantizer, an alias string or { className, config }');
}

/** `{ className, config }` for saving; `null` for no quantizer. */
export function serializeQuantizer(quantizer: Quantizer | null): SerializedQuantizer | null {
  if (quantizer === null) return null;
  const cls = quantizer.constructor as unknown as AnyQuantizerClass;
  return { className: cls.className, config: quantizer.getConfig() };
}
