/**
 * The quantizer registry: quantizers are found by class name (as saved in model.json) or by a
 * short alias (`'wrpn'`, `'dorefa'`, `'log2'`, `'wage'`, ...). Names are only looked up, never
 * evaluated. Registering a class also registers it with tfjs serialization, so layers holding
 * quantizers save and load. (The same {@link PartRegistry} serves arithmetics.)
 *
 * ```ts
 * registerQuantizer(MyQuantizer, ['mine']);
 * const q = getQuantizer('mine');                         // default settings
 * const r = getQuantizer({ className: 'LowbitMyQuantizer', config: { bits: 3 } });
 * serializeQuantizer(r);                                   // { className, config }
 * ```
 */
import { Quantizer } from './quantizer.js';
import { PartRegistry, type PartClass, type PartIdentifier, type SerializedPart } from './parts/part-registry.js';

export type SerializedQuantizer = SerializedPart;

/** What layers accept for a quantizer argument. */
export type QuantizerIdentifier = PartIdentifier<Quantizer>;

const quantizers = new PartRegistry<Quantizer>('quantizer', Quantizer);

/** Registers a quantizer class under its `className` and the given aliases. */
export function registerQuantizer(cls: PartClass<Quantizer>, aliases: readonly string[] = []): void {
  quantizers.register(cls, aliases);
}

/** Every registered alias and class name, sorted. */
export function knownQuantizers(): string[] {
  return quantizers.known();
}

/** Every registered quantizer class, in registration order (for contract tests and tools). */
export function registeredQuantizers(): PartClass<Quantizer>[] {
  return quantizers.classes();
}

/**
 * Resolves a quantizer argument: an instance is returned as is, a string is an alias or class
 * name (default settings), an object is `{ className, config }`. `null`/`undefined` give `null`
 * (no quantization).
 */
export function getQuantizer(
  identifier: QuantizerIdentifier | null | undefined,
  argument = 'quantizer',
): Quantizer | null {
  return quantizers.get(identifier, argument);
}

/** `{ className, config }` for saving; `null` for no quantizer. */
export function serializeQuantizer(quantizer: Quantizer | null): SerializedQuantizer | null {
  return quantizers.serialize(quantizer);
}
