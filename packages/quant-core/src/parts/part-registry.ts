/**
 * One registry shape for every kind of layer part (quantizers, arithmetics): a part class is
 * found by its `className` (as saved in model.json) or by a short alias, and registering it also
 * registers it with tfjs serialization so layers holding it save and load. Names are only looked
 * up, never evaluated.
 *
 * ```ts
 * const arithmetics = new PartRegistry<Arithmetic>('arithmetic', Arithmetic);
 * arithmetics.register(LowbitExactArithmetic, ['exact']);
 * arithmetics.get('exact', 'arithmetic');                 // a LowbitExactArithmetic
 * arithmetics.serialize(part);                            // { className, config }
 * ```
 */
import { serialization } from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '../errors.js';

/** A part as model.json stores it. */
export interface SerializedPart {
  className: string;
  config: serialization.ConfigDict;
}

/** What a layer argument for a part accepts: an instance, an alias or class name, or `{ className, config }`. */
export type PartIdentifier<T> = T | string | SerializedPart;

export type PartClass<T extends serialization.Serializable> = serialization.SerializableConstructor<T> & {
  className: string;
  fromConfig: (cls: serialization.SerializableConstructor<T>, config: serialization.ConfigDict) => T;
};

export class PartRegistry<T extends serialization.Serializable> {
  private readonly byClassName = new Map<string, PartClass<T>>();
  private readonly byAlias = new Map<string, PartClass<T>>();

  /**
   * @param kind what the parts are, for messages ('quantizer', 'arithmetic')
   * @param base the abstract base class every registered part extends
   */
  constructor(
    readonly kind: string,
    private readonly base: abstract new (...args: never[]) => T,
  ) {}

  /** Registers a part class under its `className` and the given aliases. */
  register(cls: PartClass<T>, aliases: readonly string[] = []): void {
    if (typeof cls !== 'function' || !(cls.prototype instanceof this.base)) {
      throw new LowbitConfigError('cls', cls, `expected a ${this.kind} class (a subclass of ${this.base.name})`);
    }
    if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string' && a.length > 0)) {
      throw new LowbitConfigError('aliases', aliases, 'expected an array of non-empty alias strings');
    }
    const name = cls.className;
    if (typeof name !== 'string' || !name.startsWith('Lowbit')) {
      throw new LowbitConfigError(
        'className',
        name,
        `${this.kind} classes need a static className starting with "Lowbit"`,
      );
    }
    const existing = this.byClassName.get(name);
    if (existing && existing !== cls)
      throw new LowbitConfigError('className', name, 'already registered by another class');
    this.byClassName.set(name, cls);
    serialization.registerClass(cls);
    for (const alias of aliases) {
      const other = this.byAlias.get(alias);
      if (other && other !== cls) throw new LowbitConfigError('alias', alias, `already used by ${other.className}`);
      this.byAlias.set(alias, cls);
    }
  }

  /** Every registered alias and class name, sorted. */
  known(): string[] {
    return [...new Set([...this.byAlias.keys(), ...this.byClassName.keys()])].sort();
  }

  /** The registered classes (one entry per class), in registration order. */
  classes(): PartClass<T>[] {
    return [...this.byClassName.values()];
  }

  private lookup(name: string, argument: string): PartClass<T> {
    const cls = this.byAlias.get(name) ?? this.byClassName.get(name);
    if (!cls) throw new LowbitConfigError(argument, name, `unknown ${this.kind}; known: ${this.known().join(', ')}`);
    return cls;
  }

  /**
   * Resolves a part argument: an instance is returned as is, a string is an alias or class name
   * (default settings), an object is `{ className, config }`. `null`/`undefined` give `null`.
   */
  get(identifier: PartIdentifier<T> | null | undefined, argument: string): T | null {
    if (typeof argument !== 'string' || argument.length === 0) {
      throw new LowbitConfigError('argument', argument, 'expected the name of the part argument (a non-empty string)');
    }
    if (identifier === null || identifier === undefined) return null;
    if (identifier instanceof this.base) return identifier as T;
    if (typeof identifier === 'string') {
      const cls = this.lookup(identifier, argument);
      return cls.fromConfig(cls, {});
    }
    if (typeof identifier === 'object' && typeof (identifier as SerializedPart).className === 'string') {
      const { className, config = {} } = identifier as SerializedPart;
      const cls = this.lookup(className, `${argument}.className`);
      if (typeof config !== 'object' || config === null || Array.isArray(config)) {
        throw new LowbitConfigError(`${argument}.config`, config, 'expected an object');
      }
      return cls.fromConfig(cls, config);
    }
    throw new LowbitConfigError(
      argument,
      identifier,
      `expected a ${this.kind}, an alias string or { className, config }`,
    );
  }

  /** `{ className, config }` for saving; `null` for no part. */
  serialize(part: T | null): SerializedPart | null {
    if (part === null) return null;
    if (!(part instanceof this.base))
      throw new LowbitConfigError(this.kind, part, `expected a ${this.kind} instance or null`);
    const cls = part.constructor as unknown as PartClass<T>;
    return { className: cls.className, config: part.getConfig() };
  }
}
