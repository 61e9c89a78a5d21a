/**
 * Small lowbit-style layers for tests: each wraps the stock tfjs layer of the same geometry and
 * reports a fixed precision through `lowbitPrecision()`, as the real lowbit layers do.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerPrecision, OperandPrecision } from '@lowbit/quant-core';

export const int = (bits: number): OperandPrecision => ({ kind: 'int', bits, signed: true });
export const uint = (bits: number): OperandPrecision => ({ kind: 'int', bits, signed: false });
export const pow2 = (bits: number): OperandPrecision => ({ kind: 'pow2', bits, signed: true });
export const binary: OperandPrecision = { kind: 'binary', bits: 1, signed: true };
export const f32: OperandPrecision = { kind: 'float', bits: 32, signed: true };

type Inner = ReturnType<typeof tfl.layers.dense>;

abstract class Wrapped extends tfl.layers.Layer {
  protected inner: Inner;
  precision: LayerPrecision;
  constructor(inner: Inner, precision: LayerPrecision, base: { name?: string; inputShape?: tfl.Shape }) {
    super(Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)));
    this.inner = inner;
    this.precision = precision;
  }
  override build(shape: tfl.Shape | tfl.Shape[]): void {
    this.inner.build(shape);
    this.built = true;
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.inner.call(x, {}) as tf.Tensor;
  }
  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return this.inner.computeOutputShape(shape);
  }
  override getConfig(): tf.serialization.ConfigDict {
    const config = this.inner.getConfig();
    delete config.name;
    return { ...config, ...super.getConfig() };
  }
  lowbitPrecision(): LayerPrecision {
    return this.precision;
  }
}

type Args<T extends (a: never) => unknown> = Parameters<T>[0] & { name?: string; inputShape?: tfl.Shape };

export class LowbitTestDense extends Wrapped {
  static className = 'LowbitTestDense';
  constructor(args: Args<typeof tfl.layers.dense>, precision: LayerPrecision) {
    const { name, inputShape, ...rest } = args;
    super(tfl.layers.dense(rest), precision, { name, inputShape });
  }
}

export class LowbitTestConv2D extends Wrapped {
  static className = 'LowbitTestConv2D';
  constructor(args: Args<typeof tfl.layers.conv2d>, precision: LayerPrecision) {
    const { name, inputShape, ...rest } = args;
    super(tfl.layers.conv2d(rest) as unknown as Inner, precision, { name, inputShape });
  }
}

export class LowbitTestDepthwiseConv2D extends Wrapped {
  static className = 'LowbitTestDepthwiseConv2D';
  constructor(args: Args<typeof tfl.layers.depthwiseConv2d>, precision: LayerPrecision) {
    const { name, inputShape, ...rest } = args;
    super(tfl.layers.depthwiseConv2d(rest) as unknown as Inner, precision, { name, inputShape });
  }
}

/** An activation quantizer layer: identity here, reports only its output precision. */
export class LowbitTestActivationQuant extends tfl.layers.Layer {
  static className = 'LowbitTestActivationQuant';
  constructor(private readonly out: OperandPrecision, name?: string) {
    super(name ? { name } : {});
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(x) ? x[0] : x);
  }
  lowbitPrecision(): LayerPrecision {
    return { output: this.out };
  }
}

/** A layer type hw-model does not know (no cost model). */
export class MysteryLayer extends tfl.layers.Layer {
  static className = 'MysteryLayer';
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(x) ? x[0] : x);
  }
}
