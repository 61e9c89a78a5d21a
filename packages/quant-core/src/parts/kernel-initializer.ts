/**
 * `LowbitInitializer`: the base class of the techniques' registered kernel initializers (WAGE's
 * `LowbitWageInitializer`, WRPN's `LowbitWrpnUniform`), the fourth kind of part a generic layer
 * takes (`kernelInitializer`).
 *
 * tfjs-layers does not export its `Initializer` base class, yet a layer accepts only an instance of
 * it as `kernelInitializer`; this class extends it (found through a tfjs initializer's prototype)
 * and gives `fromConfig` that drops the `customObjects` key tfjs's deserializer adds to the config.
 *
 * ```ts
 * class MyInit extends LowbitInitializer {
 *   static readonly className = 'MyInit';
 *   constructor(readonly config: { bits: number }) { super(); }
 *   apply(shape: number[]) { return tf.zeros(shape); }
 *   getConfig() { return { bits: this.config.bits }; }
 * }
 * tf.serialization.registerClass(MyInit);
 * quantDense({ units: 8, kernelInitializer: new MyInit({ bits: 4 }) });
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers.js';

type InitializerClass = abstract new () => Initializer;
const TfjsInitializer = Object.getPrototypeOf(tfl.initializers.zeros().constructor) as InitializerClass;

/** True for any tfjs initializer instance (tfjs's own or a {@link LowbitInitializer}). */
export function isTfjsInitializer(value: unknown): value is Initializer {
  return value instanceof TfjsInitializer;
}

export abstract class LowbitInitializer extends TfjsInitializer {
  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const rest = { ...config };
    delete rest.customObjects;
    return new cls(rest as never);
  }
}
