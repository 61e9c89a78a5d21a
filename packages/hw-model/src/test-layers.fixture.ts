/**
 * Parts for building test models from quant-core's generic layers (`quantDense`, `quantConv2d`,
 * `quantDepthwiseConv2d`, `quantActivation`) with any precision and arithmetic cost hw-model
 * reads: a quantizer that reports a fixed precision (identity forward) and an arithmetic that
 * computes the exact product but reports a given cost descriptor. Neither is registered: tests
 * pass instances.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  Arithmetic,
  LowbitConfigError,
  LowbitExactArithmetic,
  Quantizer,
  type ArithmeticCost,
  type IntegerProductContext,
  type LayerPrecision,
  type OperandPrecision,
  type QuantizedTensor,
} from '@lowbit/quant-core';

export const int = (bits: number): OperandPrecision => ({ kind: 'int', bits, signed: true });
export const uint = (bits: number): OperandPrecision => ({ kind: 'int', bits, signed: false });
export const pow2 = (bits: number): OperandPrecision => ({ kind: 'pow2', bits, signed: true });
export const binary: OperandPrecision = { kind: 'binary', bits: 1, signed: true };
export const f32: OperandPrecision = { kind: 'float', bits: 32, signed: true };

/** Identity in the forward pass; reports `precision` to hw-model. */
export class LowbitTestPrecisionQuantizer extends Quantizer {
  static className = 'LowbitTestPrecisionQuantizer';
  constructor(private readonly reported: OperandPrecision) {
    super();
  }
  call(x: tf.Tensor): tf.Tensor {
    return tf.clone(x);
  }
  precision(): OperandPrecision {
    return { ...this.reported };
  }
  quantize(): QuantizedTensor {
    throw new LowbitConfigError('LowbitTestPrecisionQuantizer.quantize', null, 'a test quantizer has no integer codes');
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...this.reported };
  }
}

/** The exact product, costed as `cost` (shift, approximate, log accumulation, ...). */
export class LowbitTestCostArithmetic extends Arithmetic {
  static className = 'LowbitTestCostArithmetic';
  constructor(private readonly reported: ArithmeticCost) {
    super();
  }
  product(): null {
    return null;
  }
  integerProduct(input: QuantizedTensor, kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor {
    return new LowbitExactArithmetic().integerProduct(input, kernel, ctx);
  }
  cost(): ArithmeticCost {
    return { ...this.reported };
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...this.reported } as unknown as tf.serialization.ConfigDict;
  }
}

export const quantizerOf = (p: OperandPrecision) => new LowbitTestPrecisionQuantizer(p);

/**
 * The part arguments of a generic layer with the given weight, input and output precision and
 * arithmetic cost: `quantDense({ units: 3, ...parts({ weight: int(4), input: uint(4) }) })`.
 */
export function parts(p: {
  weight?: OperandPrecision;
  input?: OperandPrecision;
  output?: OperandPrecision;
  arithmetic?: ArithmeticCost;
}) {
  return {
    ...(p.weight ? { kernelQuantizer: quantizerOf(p.weight) } : {}),
    ...(p.input ? { inputQuantizer: quantizerOf(p.input) } : {}),
    ...(p.output ? { outputQuantizer: quantizerOf(p.output) } : {}),
    ...(p.arithmetic ? { arithmetic: new LowbitTestCostArithmetic(p.arithmetic) } : {}),
  };
}

/**
 * The generic layers do not fix an accumulator width; a layer may (`LayerPrecision.accumulatorBits`).
 * Makes `layer` report `accumulatorBits` (and any other field of `extra`) on top of its own precision.
 */
export function reporting<T extends { lowbitPrecision(): LayerPrecision }>(
  layer: T,
  extra: Partial<LayerPrecision>,
): T {
  const own = layer.lowbitPrecision.bind(layer);
  layer.lowbitPrecision = () => ({ ...own(), ...extra });
  return layer;
}

/** A layer type hw-model does not know (no cost model). */
export class MysteryLayer extends tfl.layers.Layer {
  static className = 'MysteryLayer';
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(x) ? x[0] : x);
  }
}
