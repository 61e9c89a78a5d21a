/**
 * `Arithmetic`: the layer part that says how a quantized layer multiplies and accumulates its
 * operands. The generic quantized layers (`quantDense`, `quantConv2d`, `quantDepthwiseConv2d`)
 * take it as `arithmetic`, next to their quantizers:
 *
 * - `'exact'` ({@link LowbitExactArithmetic}, the default): tfjs's own fused product of the
 *   fake-quantized operands, bit for bit what the replaced tfjs layer computes;
 * - shift arithmetic for log codes and log-domain accumulation (`@lowbit/log-domain`);
 * - an approximate multiplier by name or table (`@lowbit/fames-appmul`).
 *
 * An arithmetic is a registered, serializable object like a quantizer: `getConfig`/`fromConfig`,
 * a `className` starting with `Lowbit`, and string aliases ({@link registerArithmetic}).
 *
 * ```ts
 * const layer = quantDense({ units: 10, kernelQuantizer: 'log2', inputQuantizer: 'log2', arithmetic: 'shift' });
 * getArithmetic('exact');            // LowbitExactArithmetic
 * layer.lowbitPrecision().arithmetic // { multiply: 'shift', name: 'shift' }: what hw-model costs
 * ```
 *
 * To write one: extend {@link Arithmetic}, implement `product` (the training/inference forward,
 * usually {@link straightThroughProduct} around an integer simulation), `integerProduct` (the
 * same on exported integer codes), `cost`, and `validate` (reject quantizers it cannot run with,
 * naming both parts with {@link incompatibleParts}).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from './errors.js';
import type { OperandPrecision } from './precision.js';
import { QuantizedTensor } from './quantized-tensor.js';
import { Quantizer } from './quantizer.js';
import { checkFunction, checkObject, checkOneOf, checkTensor } from './validate.js';
import { PartRegistry, type PartClass, type PartIdentifier, type SerializedPart } from './parts/part-registry.js';

/** What a lowbit layer computes, as hw-model asks it (`layer.lowbitOperation()`). */
export type LowbitOperation = 'dense' | 'conv2d' | 'depthwise-conv2d' | 'activation';

/** The operations that have a product (and so an arithmetic). */
export type ProductOperation = Exclude<LowbitOperation, 'activation'>;

/** Convolution geometry, in tfjs's terms (NHWC kernels; `dataFormat` of the layer). */
export interface ConvGeometry {
  strides: [number, number];
  padding: 'valid' | 'same';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: [number, number];
}

/** The parts an arithmetic works with, for `validate`. */
export interface ProductParts {
  layerName: string;
  operation: ProductOperation;
  inputQuantizer: Quantizer | null;
  kernelQuantizer: Quantizer | null;
}

/** What the layer hands its arithmetic for one forward pass. */
export interface ProductContext extends ProductParts {
  /** The input after the input quantizer (fake-quantized floats), in the layer's data format. */
  input: tf.Tensor;
  /** The kernel after the kernel quantizer. */
  kernel: tf.Tensor;
  /** The kernel variable's value before quantization (`quantize()` it for codes; never dispose it). */
  rawKernel: tf.Tensor;
  /** Convolution geometry; null for dense. */
  geometry: ConvGeometry | null;
  training: boolean;
  /** The exact product (matmul / convolution, no bias or activation) the layer computes with tfjs ops. */
  exact(input: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
}

/** What the layer hands `integerProduct`: the exported codes instead of the float operands. */
export interface IntegerProductContext extends ProductParts {
  geometry: ConvGeometry | null;
  /** Input shape in the layer's data format (the codes are flat). */
  inputShape: number[];
  exact(input: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
}

/** How hw-model costs one product and its accumulation. */
export interface ArithmeticCost {
  /**
   * - `exact`: the multiplier the operand kinds call for (integer, float, shifter, ...);
   * - `shift`: a shifter (pow2 x int) or an exponent adder (pow2 x pow2), whatever the operands;
   * - `approximate`: the exact integer multiplier of the operand widths times `energyRatio`.
   */
  multiply: 'exact' | 'shift' | 'approximate';
  /** Name of the arithmetic or design, for tables. */
  name: string;
  /** For `approximate`: energy of one product relative to the exact multiplier of its width. */
  energyRatio?: number;
  /** `linear` (default): integer/float adds; `log`: log-domain accumulation (adds of exponents plus conversion). */
  accumulate?: 'linear' | 'log';
}

export abstract class Arithmetic extends tf.serialization.Serializable {
  /** Throws a {@link LowbitConfigError} naming both parts when this arithmetic cannot run with them. */
  validate(_parts: ProductParts): void {}

  /**
   * The product without bias or activation, in the layer's data format, or `null` to let the
   * layer run tfjs's fused stock product (bias and activation fused as tfjs does).
   */
  abstract product(ctx: ProductContext): tf.Tensor | null;

  /**
   * The product computed from exported integer codes (what integer hardware computes), in real
   * units: equal to `product` in inference up to float32 rounding of the scales (bit-exact when
   * scales are powers of two).
   */
  abstract integerProduct(input: QuantizedTensor, kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor;

  /** How hw-model costs this arithmetic. */
  abstract cost(): ArithmeticCost;

  abstract override getConfig(): tf.serialization.ConfigDict;
}

const arithmetics = new PartRegistry<Arithmetic>('arithmetic', Arithmetic);

/** What layers accept for `arithmetic`. */
export type ArithmeticIdentifier = PartIdentifier<Arithmetic>;
export type SerializedArithmetic = SerializedPart;

/** Registers an arithmetic class under its `className` and aliases (also with tfjs serialization). */
export function registerArithmetic(cls: PartClass<Arithmetic>, aliases: readonly string[] = []): void {
  arithmetics.register(cls, aliases);
}

/** Resolves an `arithmetic` argument; absent or null gives the exact arithmetic. */
export function getArithmetic(
  identifier: ArithmeticIdentifier | null | undefined,
  argument = 'arithmetic',
): Arithmetic {
  return arithmetics.get(identifier, argument) ?? new LowbitExactArithmetic();
}

/** Every registered arithmetic alias and class name, sorted. */
export function knownArithmetics(): string[] {
  return arithmetics.known();
}

/** Every registered arithmetic class, in registration order (for contract tests and tools). */
export function registeredArithmetics(): PartClass<Arithmetic>[] {
  return arithmetics.classes();
}

/** `{ className, config }` for saving. */
export function serializeArithmetic(arithmetic: Arithmetic): SerializedArithmetic {
  return arithmetics.serialize(arithmetic)!;
}

/** The error for two parts that cannot work together: names the layer, both parts and why. */
export function incompatibleParts(
  parts: ProductParts,
  arithmetic: Arithmetic,
  slot: 'inputQuantizer' | 'kernelQuantizer',
  why: string,
): LowbitConfigError {
  checkProductParts('parts', parts);
  if (!(arithmetic instanceof Arithmetic))
    throw new LowbitConfigError('arithmetic', arithmetic, 'expected an Arithmetic');
  checkOneOf('slot', slot, ['inputQuantizer', 'kernelQuantizer']);
  if (typeof why !== 'string' || why.length === 0)
    throw new LowbitConfigError('why', why, 'expected the reason (a string)');
  const part = parts[slot];
  const partName = part ? (part.constructor as unknown as { className: string }).className : null;
  const arithmeticName = (arithmetic.constructor as unknown as { className: string }).className;
  return new LowbitConfigError(`${parts.layerName}.arithmetic + ${slot}`, `${arithmeticName} + ${partName}`, why);
}

/** Per-channel scales of a kernel's codes as a tensor broadcasting over the product's channel axis. */
function kernelScaleOver(kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor | number | null {
  if (kernel.scale.length === 1) return kernel.scale[0]!;
  const outAxis = kernel.shape.length - 1;
  // Only an output-channel axis factors out of the sum (depthwise: input channels times multiplier).
  if (kernel.axis !== outAxis || ctx.operation === 'depthwise-conv2d') return null;
  const c = kernel.scale.length;
  const channelsFirst = ctx.geometry?.dataFormat === 'channelsFirst';
  const shape = ctx.operation === 'dense' ? [c] : channelsFirst ? [1, c, 1, 1] : [1, 1, 1, c];
  return tf.tensor(Float32Array.from(kernel.scale), shape);
}

/** Codes minus zero points, as a float32 tensor of `shape` (exact for |code| < 2^24). */
export function centeredCodes(q: QuantizedTensor, shape: number[]): tf.Tensor {
  if (!(q instanceof QuantizedTensor)) throw new LowbitConfigError('q', q, 'expected a QuantizedTensor');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new LowbitConfigError('shape', shape, 'expected a shape: an array of integers >= 0');
  }
  if (shape.reduce((a, b) => a * b, 1) !== q.size) {
    throw new LowbitConfigError('shape', shape, `expected ${q.size} elements (the codes' size)`);
  }
  const out = new Float32Array(q.size);
  if (q.zeroPoint.length === 1) {
    const z = q.zeroPoint[0]!;
    for (let i = 0; i < out.length; i++) out[i] = q.codes[i]! - z;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = q.codes[i]! - q.zeroPoint[q.channelOf(i)]!;
  }
  return tf.tensor(out, shape);
}

/**
 * `'exact'`: the product tfjs computes for the fake-quantized operands. In integer form: the exact
 * product of the integer codes (linear encoding; exact in float32 while sums stay below 2^24),
 * times the input and kernel scales.
 */
export class LowbitExactArithmetic extends Arithmetic {
  static className = 'LowbitExactArithmetic';

  product(): null {
    return null;
  }

  integerProduct(input: QuantizedTensor, kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor {
    return tf.tidy(() => {
      const linear = input.encoding === 'linear' && kernel.encoding === 'linear' && input.scale.length === 1;
      const kernelScale = linear ? kernelScaleOver(kernel, ctx) : null;
      if (!linear || kernelScale === null) {
        // Codes that do not factor (pow2 encodings, per-channel input or depthwise per-channel
        // kernel scales): the product of the dequantized codes, which equal the forward operands.
        return ctx.exact(tf.tensor(input.dequantize(), ctx.inputShape), tf.tensor(kernel.dequantize(), kernel.shape));
      }
      const acc = ctx.exact(centeredCodes(input, ctx.inputShape), centeredCodes(kernel, kernel.shape));
      return tf.mul(tf.mul(acc, input.scale[0]!), kernelScale);
    });
  }

  cost(): ArithmeticCost {
    return { multiply: 'exact', name: 'exact' };
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
registerArithmetic(LowbitExactArithmetic, ['exact']);

/**
 * The gradients of the layer's exact product with respect to its input and kernel, from tfjs's
 * registered gradients (so training-kernels' faster gradient kernels are used where installed).
 */
export function exactProductGradients(
  operation: ProductOperation,
  geometry: ConvGeometry | null,
  dy: tf.Tensor,
  input: tf.Tensor,
  kernel: tf.Tensor,
): [tf.Tensor, tf.Tensor] {
  checkGradientOperands(operation, geometry, dy, input, kernel);
  if (operation === 'dense') {
    const K = input.shape[input.rank - 1]!;
    const a2 = tf.reshape(input, [-1, K]) as tf.Tensor2D;
    const dy2 = tf.reshape(dy, [-1, kernel.shape[1]!]) as tf.Tensor2D;
    const da = tf.reshape(tf.matMul(dy2, kernel as tf.Tensor2D, false, true), input.shape);
    return [da, tf.matMul(a2, dy2, true, false)];
  }
  const g = geometry!;
  const channelsFirst = g.dataFormat === 'channelsFirst';
  const x = channelsFirst ? tf.transpose(input, [0, 2, 3, 1]) : input;
  const d = channelsFirst ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
  const kernelName = operation === 'conv2d' ? 'Conv2D' : 'DepthwiseConv2dNative';
  const gradient = tf.getGradient(kernelName);
  if (!gradient)
    throw new LowbitConfigError(
      'gradient',
      kernelName,
      'tfjs has no registered gradient for it (import @tensorflow/tfjs-layers)',
    );
  const attrs = {
    strides: g.strides,
    pad: g.padding,
    dataFormat: 'NHWC',
    dilations: g.dilationRate,
    dimRoundingMode: undefined,
  };
  const grads = gradient.gradFunc(d, [x, kernel], attrs as unknown as tf.NamedAttrMap) as Record<
    string,
    () => tf.Tensor
  >;
  const dx = grads.x!();
  return [channelsFirst ? tf.transpose(dx, [0, 3, 1, 2]) : dx, grads.filter!()];
}

/**
 * Straight-through product: the value of `simulate()` (an integer simulation with no gradient of
 * its own: a LUT, shifts), the gradient of the exact product of the fake-quantized operands.
 * `simulate` runs outside the gradient tape, so it may use kernels without gradients.
 */
export function straightThroughProduct(ctx: ProductContext, simulate: () => tf.Tensor): tf.Tensor {
  checkObject('ctx', ctx, 'a ProductContext { operation, geometry, input, kernel, ... }');
  checkOneOf('ctx.operation', ctx.operation, PRODUCT_OPERATIONS);
  checkTensor('ctx.input', ctx.input, { dtype: 'float32' });
  checkTensor('ctx.kernel', ctx.kernel, { dtype: 'float32' });
  if (ctx.operation !== 'dense') checkGeometry('ctx.geometry', ctx.geometry);
  checkFunction('simulate', simulate);
  const f = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: checkTensor('simulate()', simulate()),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        exactProductGradients(ctx.operation, ctx.geometry, dy, saved[0]!, saved[1]!),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(ctx.input, ctx.kernel);
}

/** The operand precisions an arithmetic sees, for checks: the quantizers' reports or float32. */
export function operandPrecisions(parts: ProductParts): {
  input: OperandPrecision | null;
  kernel: OperandPrecision | null;
} {
  checkObject('parts', parts, '{ inputQuantizer, kernelQuantizer, ... }');
  checkQuantizerSlot('parts.inputQuantizer', parts.inputQuantizer);
  checkQuantizerSlot('parts.kernelQuantizer', parts.kernelQuantizer);
  return { input: parts.inputQuantizer?.precision() ?? null, kernel: parts.kernelQuantizer?.precision() ?? null };
}

const PRODUCT_OPERATIONS: readonly ProductOperation[] = ['dense', 'conv2d', 'depthwise-conv2d'];

function checkQuantizerSlot(argument: string, q: unknown): void {
  if (q !== null && q !== undefined && !(q instanceof Quantizer)) {
    throw new LowbitConfigError(argument, q, 'expected a Quantizer or null');
  }
}

function checkProductParts(argument: string, parts: unknown): asserts parts is ProductParts {
  const p = checkObject<ProductParts>(
    argument,
    parts,
    'ProductParts { layerName, operation, inputQuantizer, kernelQuantizer }',
  );
  if (typeof p.layerName !== 'string')
    throw new LowbitConfigError(`${argument}.layerName`, p.layerName, 'expected a string');
  checkOneOf(`${argument}.operation`, p.operation, PRODUCT_OPERATIONS);
  checkQuantizerSlot(`${argument}.inputQuantizer`, p.inputQuantizer);
  checkQuantizerSlot(`${argument}.kernelQuantizer`, p.kernelQuantizer);
}

function checkPair(argument: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new LowbitConfigError(argument, v, 'expected [h, w], integers >= 1');
  }
  return v as [number, number];
}

function checkGeometry(argument: string, g: unknown): ConvGeometry {
  const geometry = checkObject<ConvGeometry>(
    argument,
    g,
    'ConvGeometry { strides, padding, dataFormat, dilationRate }',
  );
  checkPair(`${argument}.strides`, geometry.strides);
  checkPair(`${argument}.dilationRate`, geometry.dilationRate);
  checkOneOf(`${argument}.padding`, geometry.padding, ['valid', 'same']);
  checkOneOf(`${argument}.dataFormat`, geometry.dataFormat, ['channelsFirst', 'channelsLast']);
  return geometry;
}

/** Output length of a convolution along one axis, as tfjs computes it. */
function convOut(size: number, k: number, stride: number, dilation: number, padding: 'valid' | 'same'): number {
  if (padding === 'same') return Math.ceil(size / stride);
  return Math.ceil((size - (k - 1) * dilation) / stride);
}

/** Shapes of `exactProductGradients`' operands, checked against each other (typed errors, not tfjs ones). */
function checkGradientOperands(
  operation: unknown,
  geometry: unknown,
  dy: unknown,
  input: unknown,
  kernel: unknown,
): void {
  const op = checkOneOf('operation', operation, PRODUCT_OPERATIONS);
  const x = checkTensor('input', input, { dtype: 'float32', minRank: op === 'dense' ? 2 : 4 });
  const k = checkTensor('kernel', kernel, { dtype: 'float32', rank: op === 'dense' ? 2 : 4 });
  const d = checkTensor('dy', dy, { dtype: 'float32', rank: x.rank });
  const mismatch = (why: string) => new LowbitConfigError('dy.shape', d.shape, why);
  if (op === 'dense') {
    if (x.shape[x.rank - 1] !== k.shape[0]) {
      throw new LowbitConfigError(
        'kernel.shape',
        k.shape,
        `expected ${x.shape[x.rank - 1]} rows (the input's last axis)`,
      );
    }
    const expected = [...x.shape.slice(0, -1), k.shape[1]];
    if (expected.some((v, i) => v !== d.shape[i])) throw mismatch(`expected [${expected.join(', ')}]`);
    return;
  }
  if (x.rank !== 4) throw new LowbitConfigError('input.shape', x.shape, `expected rank 4, got rank ${x.rank}`);
  const g = checkGeometry('geometry', geometry);
  const first = g.dataFormat === 'channelsFirst';
  const [n, h, w, c] = first ? [x.shape[0], x.shape[2], x.shape[3], x.shape[1]] : x.shape;
  if (c !== k.shape[2]) throw new LowbitConfigError('kernel.shape', k.shape, `expected ${c} input channels on axis 2`);
  const outC = op === 'conv2d' ? k.shape[3]! : k.shape[2]! * k.shape[3]!;
  const outH = convOut(h!, k.shape[0]!, g.strides[0], g.dilationRate[0], g.padding);
  const outW = convOut(w!, k.shape[1]!, g.strides[1], g.dilationRate[1], g.padding);
  const expected = first ? [n, outC, outH, outW] : [n, outH, outW, outC];
  if (expected.some((v, i) => v !== d.shape[i])) throw mismatch(`expected [${expected.join(', ')}]`);
}
