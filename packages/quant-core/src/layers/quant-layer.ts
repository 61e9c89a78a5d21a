/**
 * `LowbitQuantLayer`: the shared base of lowbit's generic quantized weight layers (dense, conv,
 * depthwise conv). These are the only weight-layer classes in lowbit: every technique is a set of
 * parts given to them, and the techniques' factories (`logDense`, `wageConv2d`, `appMulDense`,
 * ...) only choose parts.
 *
 * Parts (each a registered, serializable object, or an alias string, or `{ className, config }`):
 * - `kernelQuantizer`, `inputQuantizer`, `outputQuantizer`: {@link Quantizer}s applied to the
 *   kernel, the input (before the product) and the output (after bias and activation);
 * - `arithmetic`: how the integer codes are multiplied and accumulated ({@link Arithmetic};
 *   default `'exact'`, tfjs's own fused product);
 * - `kernelInitializer`: any tfjs initializer, including registered lowbit ones (WAGE's).
 *
 * Every tfjs argument is parsed by the tfjs layer this one replaces (a private, never-built
 * "reference" layer), so defaults, validation and `getConfig` match tfjs exactly; with no parts
 * the layer computes exactly what the tfjs layer computes.
 *
 * Bad input is a typed error, never a tfjs one: `apply` / `call` / `integerForward` check that the
 * input is one float32 tensor of the right rank and channel count, not empty (LowbitConfigError
 * naming `<layer>.inputs`); constructor arguments tfjs rejects and unknown argument keys name
 * `quantDense.<key>` (and so on). NaN values in the input propagate, as in tfjs (checking them would
 * read the tensor back every step); quantizers map NaN to NaN, integer exports reject it.
 *
 * The layer describes itself to hw-model: `lowbitOperation()` (what it computes),
 * `lowbitPrecision()` (its operands and its arithmetic's cost descriptor); `exportQuantized()`
 * gives the integer codes, and `integerForward(x)` recomputes the forward pass from them.
 *
 * ```ts
 * const fc = quantDense({
 *   units: 10,
 *   kernelQuantizer: 'log2',
 *   inputQuantizer: { className: 'LowbitLogQuantizer', config: { bits: 4, signed: false } },
 * });
 * fc.lowbitOperation(); // 'dense'
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import {
  getArithmetic,
  serializeArithmetic,
  type Arithmetic,
  type ArithmeticIdentifier,
  type ConvGeometry,
  type IntegerProductContext,
  type LowbitOperation,
  type ProductContext,
  type ProductOperation,
  type ProductParts,
} from '../arithmetic.js';
import { LowbitConfigError } from '../errors.js';
import { FLOAT32, type LayerPrecision, type OperandPrecision } from '../precision.js';
import type { QuantizedTensor } from '../quantized-tensor.js';
import type { Quantizer } from '../quantizer.js';
import { getQuantizer, serializeQuantizer, type QuantizerIdentifier } from '../registry.js';
import { checkApplyInputs, checkKnownLayerArgs, FACTORY_NAMES, tfjsReference } from './check-args.js';
import { BASE_ARG_KEYS, exactlyOne, pickBaseArgs, quantizerHostOf } from './layer-utils.js';

/** The part arguments every quantized layer adds to those of the tfjs layer it replaces. */
export interface QuantizerArgs {
  /** Quantizer applied to the kernel in every forward pass (fake quantization with STE). */
  kernelQuantizer?: QuantizerIdentifier | null;
  /** Quantizer applied to the layer's input before the product. */
  inputQuantizer?: QuantizerIdentifier | null;
  /** Quantizer applied to the layer's output, after bias and activation. */
  outputQuantizer?: QuantizerIdentifier | null;
  /** How the operands are multiplied and accumulated (default `'exact'`). */
  arithmetic?: ArithmeticIdentifier | null;
}

/** The part argument names, in the order `getConfig` saves them. */
export const PART_ARG_KEYS = ['kernelQuantizer', 'inputQuantizer', 'outputQuantizer', 'arithmetic'] as const;

/** A tfjs activation object (tfjs-layers does not export the type). */
export interface TfjsActivation {
  apply(x: tf.Tensor, axis?: number): tf.Tensor;
  getClassName(): string;
}

/** Keys of the base `Layer.getConfig()`, taken from our layer rather than the reference. */
const BASE_CONFIG_KEYS = ['name', 'trainable', 'batchInputShape', 'dtype'] as const;

export type Kwargs = Record<string, unknown>;

/** The weights exported for integer inference: codes and scales of the kernel, float bias. */
export interface QuantizedExport {
  kernel: QuantizedTensor;
  bias?: Float32Array;
}

export abstract class LowbitQuantLayer extends tfl.layers.Layer {
  /** Quantizer of the kernel, or null (float kernel). */
  readonly kernelQuantizer: Quantizer | null;
  /** Quantizer of the input, or null (float input). */
  readonly inputQuantizer: Quantizer | null;
  /** Quantizer of the output, or null. */
  readonly outputQuantizer: Quantizer | null;
  private arithmeticPart: Arithmetic;
  /** The tfjs layer this one replaces, built from the same arguments; used for arguments only. */
  protected readonly reference: tfl.layers.Layer;
  protected kernel: tfl.LayerVariable | null = null;
  protected bias: tfl.LayerVariable | null = null;

  protected constructor(
    args: LayerArgs & QuantizerArgs,
    makeReference: (args: Record<string, unknown>) => tfl.layers.Layer,
    extraKeys: readonly string[] = [],
  ) {
    super(pickBaseArgs(concreteLayerArgs(new.target, args)));
    const owner = FACTORY_NAMES[(new.target as unknown as { className: string }).className] ?? this.getClassName();
    this.kernelQuantizer = getQuantizer(args.kernelQuantizer, 'kernelQuantizer');
    this.inputQuantizer = getQuantizer(args.inputQuantizer, 'inputQuantizer');
    this.outputQuantizer = getQuantizer(args.outputQuantizer, 'outputQuantizer');
    this.arithmeticPart = getArithmetic(args.arithmetic, 'arithmetic');
    this.arithmeticPart.validate(this.productParts());
    const rest: Record<string, unknown> = { ...args };
    for (const key of [...BASE_ARG_KEYS, ...PART_ARG_KEYS]) delete rest[key];
    // A name keeps the reference from consuming tfjs's per-class automatic name counter.
    rest.name = `${this.name}__reference`;
    this.reference = tfjsReference(owner, rest, makeReference);
    checkKnownLayerArgs(owner, args as Record<string, unknown>, this.reference, [
      ...BASE_ARG_KEYS,
      ...PART_ARG_KEYS,
      ...extraKeys,
    ]);
  }

  /** What this layer computes, for hw-model. */
  abstract lowbitOperation(): ProductOperation;

  /** How the layer multiplies and accumulates (`'exact'` unless given). */
  get arithmetic(): Arithmetic {
    return this.arithmeticPart;
  }

  /** Swaps the arithmetic (e.g. the approximate multiplier FAMES chose); checked against the quantizers. */
  setArithmetic(arithmetic: ArithmeticIdentifier | null): void {
    const next = getArithmetic(arithmetic, `${this.name}.arithmetic`);
    next.validate(this.productParts());
    this.arithmeticPart = next;
  }

  /** The parts an arithmetic validates against. */
  protected productParts(): ProductParts {
    return {
      layerName: this.name,
      operation: this.lowbitOperation(),
      inputQuantizer: this.inputQuantizer,
      kernelQuantizer: this.kernelQuantizer,
    };
  }

  /** A field of the reference tfjs layer (initializers, activation, strides, ...). */
  protected ref<T>(field: string): T {
    return (this.reference as unknown as Record<string, T>)[field];
  }

  /** The activation tfjs resolved from the `activation` argument. */
  protected get activationFn(): TfjsActivation {
    return this.ref<TfjsActivation>('activation');
  }

  get useBias(): boolean {
    return this.ref<boolean>('useBias');
  }

  /** Convolution geometry; null for dense. */
  protected geometry(): ConvGeometry | null {
    return null;
  }

  /**
   * Creates the kernel and bias exactly as the tfjs layer does (same names, shapes,
   * initializers, regularizers, constraints), then the quantizers' state (a quantizer's `build`
   * sees the kernel shape: per-layer constants such as WAGE's alpha are derived there).
   */
  protected buildWeights(
    kernelName: string,
    kernelShape: number[],
    kernelPrefix: string,
    biasSize: number,
    inputShape: tfl.Shape,
    outputShape: tfl.Shape,
  ): void {
    if (this.kernel == null) {
      this.kernel = this.addWeight(
        kernelName,
        kernelShape,
        undefined,
        this.ref(`${kernelPrefix}Initializer`),
        this.ref(`${kernelPrefix}Regularizer`),
        true,
        this.ref(`${kernelPrefix}Constraint`),
      );
      if (this.useBias) {
        this.bias = this.addWeight(
          'bias',
          [biasSize],
          undefined,
          this.ref('biasInitializer'),
          this.ref('biasRegularizer'),
          true,
          this.ref('biasConstraint'),
        );
      }
      const host = quantizerHostOf(this);
      this.kernelQuantizer?.build(kernelShape, host, 'kernel_quantizer');
      this.inputQuantizer?.build(
        inputShape.map((d) => d ?? -1),
        host,
        'input_quantizer',
      );
      this.outputQuantizer?.build(
        outputShape.map((d) => d ?? -1),
        host,
        'output_quantizer',
      );
    }
    this.built = true;
  }

  /** The kernel as the product sees it: fake-quantized when a kernel quantizer is set. */
  protected quantizedKernel(training: boolean): tf.Tensor {
    const k = this.kernelValue();
    return this.kernelQuantizer ? this.kernelQuantizer.call(k, { training }) : k;
  }

  /** The kernel variable's value (the variable itself: never dispose it). */
  protected kernelValue(): tf.Tensor {
    if (this.kernel == null)
      throw new LowbitConfigError(`${this.name}.kernel`, null, 'the layer must be built (called on an input) first');
    return this.kernel.read();
  }

  /** The input as the product sees it: fake-quantized when an input quantizer is set. */
  protected quantizedInput(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.inputQuantizer ? this.inputQuantizer.call(x, { training }) : x;
  }

  /** The exact product of the layer (matmul, convolution) without bias or activation, in the layer's data format. */
  protected abstract exactProduct(inputs: tf.Tensor, kernel: tf.Tensor): tf.Tensor;

  /** Product, bias and activation in one call, as the replaced tfjs layer computes them (fused when tfjs fuses). */
  protected abstract stockForward(inputs: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor;

  /** Adds the bias along the channel axis of the product. */
  protected abstract addBias(product: tf.Tensor, bias: tf.Tensor): tf.Tensor;

  /** Checks the rank and channel count of a call's input (typed error instead of a tfjs one). */
  protected abstract checkInput(x: tf.Tensor): void;

  /** tfjs's `apply`, with the input checked first (typed errors for concrete tensors). */
  override apply(
    inputs: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[],
    kwargs?: Kwargs,
  ): tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[] {
    checkApplyInputs(this.name, inputs, (x) => this.checkInput(x));
    return super.apply(inputs, kwargs);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? exactlyOne(inputs, this.name) : inputs;
      this.checkInput(x);
      const training = kwargs?.training === true;
      const input = this.quantizedInput(x, training);
      const kernel = this.quantizedKernel(training);
      const bias = this.bias ? this.bias.read() : null;
      const ctx: ProductContext = {
        ...this.productParts(),
        input,
        kernel,
        rawKernel: this.kernelValue(),
        geometry: this.geometry(),
        training,
        exact: (a, k) => this.exactProduct(a, k),
      };
      const product = this.arithmeticPart.product(ctx);
      const y = product === null ? this.stockForward(input, kernel, bias) : this.finish(product, bias);
      return this.outputQuantizer ? this.outputQuantizer.call(y, { training }) : y;
    });
  }

  /** Bias and activation after a product. */
  private finish(product: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
    const y = bias ? this.addBias(product, bias) : product;
    return this.activationFn.apply(y);
  }

  /**
   * Inference from integers: the input and kernel quantizers export codes, the arithmetic
   * multiplies and accumulates them (`integerProduct`), then bias, activation and the output
   * quantizer as in the forward pass. Equals `predict` up to float32 rounding of the scales
   * (bit-exact when the scales are powers of two).
   */
  integerForward(x: tf.Tensor): tf.Tensor {
    if (this.inputQuantizer === null || this.kernelQuantizer === null) {
      const missing = this.inputQuantizer === null ? 'inputQuantizer' : 'kernelQuantizer';
      throw new LowbitConfigError(
        `${this.name}.${missing}`,
        null,
        'integer inference needs both an input and a kernel quantizer',
      );
    }
    this.checkInput(x);
    const input = this.inputQuantizer.quantize(x);
    const kernel = this.kernelQuantizer.quantize(this.kernelValue());
    return tf.tidy(() => {
      const ctx: IntegerProductContext = {
        ...this.productParts(),
        geometry: this.geometry(),
        inputShape: x.shape,
        exact: (a, k) => this.exactProduct(a, k),
      };
      const y = this.finish(
        this.arithmeticPart.integerProduct(input, kernel, ctx),
        this.bias ? this.bias.read() : null,
      );
      return this.outputQuantizer ? this.outputQuantizer.call(y, { training: false }) : y;
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return this.reference.computeOutputShape(inputShape);
  }

  /**
   * Weight, input and output precision from the quantizers (float32 when none), and the
   * arithmetic's cost descriptor (absent when exact).
   */
  lowbitPrecision(): LayerPrecision {
    const p: LayerPrecision = {
      weight: { ...(this.kernelQuantizer?.precision() ?? FLOAT32) } as OperandPrecision,
      input: { ...(this.inputQuantizer?.precision() ?? FLOAT32) } as OperandPrecision,
    };
    const accumulatorBits = this.kernelQuantizer?.accumulatorBits?.(p.input!);
    if (accumulatorBits !== undefined) p.accumulatorBits = accumulatorBits;
    const cost = this.arithmeticPart.cost();
    if (cost.multiply !== 'exact' || cost.accumulate === 'log') p.arithmetic = cost;
    if (this.outputQuantizer) p.output = { ...this.outputQuantizer.precision() };
    return p;
  }

  /**
   * What integer hardware stores: the kernel's integer codes and scales (from the kernel
   * quantizer, inference mode) and the float bias. Dequantizing the codes gives exactly the
   * kernel the forward pass uses.
   */
  exportQuantized(): QuantizedExport {
    if (this.kernelQuantizer === null) {
      throw new LowbitConfigError(`${this.name}.kernelQuantizer`, null, 'integer export needs a kernel quantizer');
    }
    // read() returns the layer's variable itself: never dispose it.
    const out: QuantizedExport = { kernel: this.kernelQuantizer.quantize(this.kernelValue()) };
    if (this.bias) out.bias = Float32Array.from(this.bias.read().dataSync() as Float32Array);
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config = this.reference.getConfig();
    for (const key of BASE_CONFIG_KEYS) delete config[key];
    return {
      ...config,
      kernelQuantizer: serializeQuantizer(this.kernelQuantizer) as unknown as tf.serialization.ConfigDictValue,
      inputQuantizer: serializeQuantizer(this.inputQuantizer) as unknown as tf.serialization.ConfigDictValue,
      outputQuantizer: serializeQuantizer(this.outputQuantizer) as unknown as tf.serialization.ConfigDictValue,
      arithmetic: serializeArithmetic(this.arithmeticPart) as unknown as tf.serialization.ConfigDictValue,
      ...super.getConfig(),
    };
  }
}

/** The arguments of a concrete layer class: the abstract bases are not for `new`. */
function concreteLayerArgs<T>(cls: unknown, args: T): T {
  const className = (cls as { className?: unknown }).className;
  if (typeof className !== 'string' || !className.startsWith('Lowbit')) {
    throw new LowbitConfigError(
      'layer class',
      (cls as { name?: string }).name,
      'abstract: create layers with quantDense, quantConv2d or quantDepthwiseConv2d (or a technique factory)',
    );
  }
  return args;
}

/** A quantized layer: what hw-model and the tools check for. */
export function isLowbitLayer(layer: unknown): layer is { lowbitOperation(): LowbitOperation } {
  return typeof (layer as { lowbitOperation?: unknown } | null)?.lowbitOperation === 'function';
}
