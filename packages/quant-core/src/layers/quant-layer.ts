/**
 * `LowbitQuantLayer`: the shared base of every quantized weight layer in lowbit (dense, conv,
 * depthwise conv here; log-domain, WAGE and FAMES layers subclass these).
 *
 * It holds the quantizer plumbing once for all layers:
 * - resolves `kernelQuantizer` / `inputQuantizer` (a {@link Quantizer}, an alias such as `'wrpn'`,
 *   or `{ className, config }`) with {@link getQuantizer}; `null` or absent means no quantization;
 * - builds the quantizers with the layer as host, so stateful quantizers save their state;
 * - parses every tfjs argument through the tfjs layer it replaces (a private, never-built
 *   "reference" layer), so defaults, validation and `getConfig` match tfjs exactly;
 * - reports {@link LayerPrecision} (`lowbitPrecision()`) and exports integer codes
 *   (`exportQuantized()`).
 *
 * Subclasses say how to build the weights and how to run the product. The core product is the
 * protected `multiply(inputs, kernel)` hook: a subclass that overrides it (log-domain shifts,
 * approximate multipliers) gets bias and activation added after it; without an override the
 * layer runs the same fused tfjs op as the layer it replaces, so results match bit for bit.
 *
 * ```ts
 * class MyLayer extends LowbitQuantDense {
 *   static override className = 'LowbitMyDense';
 *   protected override multiply(x: tf.Tensor, kernel: tf.Tensor) { return myMatMul(x, kernel); }
 * }
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { LowbitConfigError } from '../errors.js';
import { FLOAT32, type LayerPrecision, type OperandPrecision } from '../precision.js';
import type { QuantizedTensor } from '../quantized-tensor.js';
import type { Quantizer, QuantizerHost, QuantizerVariable } from '../quantizer.js';
import { getQuantizer, serializeQuantizer, type QuantizerIdentifier } from '../registry.js';

/** The arguments every quantized layer adds to those of the tfjs layer it replaces. */
export interface QuantizerArgs {
  /** Quantizer applied to the kernel in every forward pass (fake quantization with STE). */
  kernelQuantizer?: QuantizerIdentifier | null;
  /** Quantizer applied to the layer's input before the product. */
  inputQuantizer?: QuantizerIdentifier | null;
}

/** A tfjs activation object (tfjs-layers does not export the type). */
export interface TfjsActivation {
  apply(x: tf.Tensor, axis?: number): tf.Tensor;
  getClassName(): string;
}

/** tfjs fused-kernel activations (what tfjs-layers' `mapActivationToFusedKernel` accepts). */
export type FusedActivationName = 'linear' | 'relu' | 'elu';

/** The fused activation tfjs layers use for `activation`, or null when tfjs applies it unfused. */
export function fusedActivationOf(activation: TfjsActivation | null): FusedActivationName | null {
  const name = activation?.getClassName();
  return name === 'linear' || name === 'relu' || name === 'elu' ? name : null;
}

/** Keys of the base `LayerArgs` (handled by our own Layer constructor, not by the reference). */
const BASE_ARG_KEYS = ['inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType'] as const;
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
  /** The tfjs layer this one replaces, built from the same arguments; used for arguments only. */
  protected readonly reference: tfl.layers.Layer;
  protected kernel: tfl.LayerVariable | null = null;
  protected bias: tfl.LayerVariable | null = null;

  protected constructor(args: LayerArgs & QuantizerArgs, makeReference: (args: Record<string, unknown>) => tfl.layers.Layer) {
    super(pickBaseArgs(args));
    this.kernelQuantizer = getQuantizer(args.kernelQuantizer, 'kernelQuantizer');
    this.inputQuantizer = getQuantizer(args.inputQuantizer, 'inputQuantizer');
    const rest: Record<string, unknown> = { ...args };
    for (const key of [...BASE_ARG_KEYS, 'kernelQuantizer', 'inputQuantizer']) delete rest[key];
    // A name keeps the reference from consuming tfjs's per-class automatic name counter.
    rest.name = `${this.name}__reference`;
    this.reference = makeReference(rest);
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

  /**
   * Creates the kernel and bias exactly as the tfjs layer does (same names, shapes,
   * initializers, regularizers, constraints), then the quantizers' state.
   */
  protected buildWeights(kernelName: string, kernelShape: number[], kernelPrefix: string, biasSize: number, inputShape: tfl.Shape): void {
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
        this.bias = this.addWeight('bias', [biasSize], undefined, this.ref('biasInitializer'), this.ref('biasRegularizer'), true, this.ref('biasConstraint'));
      }
      const host = this.quantizerHost();
      this.kernelQuantizer?.build(kernelShape, host, 'kernel_quantizer');
      this.inputQuantizer?.build(inputShape.map((d) => d ?? -1), host, 'input_quantizer');
    }
    this.built = true;
  }

  /** `addWeight` for quantizer state (tfjs keeps it protected). */
  private quantizerHost(): QuantizerHost {
    return {
      addWeight: (name, shape, dtype, initializer, regularizer, trainable) =>
        this.addWeight(
          name,
          shape,
          dtype,
          resolveInitializer(initializer),
          regularizer as Parameters<tfl.layers.Layer['addWeight']>[4],
          trainable ?? false,
        ) as unknown as QuantizerVariable,
    };
  }

  /** The kernel as the product sees it: fake-quantized when a kernel quantizer is set. */
  protected quantizedKernel(training: boolean): tf.Tensor {
    if (this.kernel == null) throw new LowbitConfigError(`${this.name}.kernel`, null, 'the layer must be built (called on an input) first');
    const k = this.kernel.read();
    return this.kernelQuantizer ? this.kernelQuantizer.call(k, { training }) : k;
  }

  /** The input as the product sees it: fake-quantized when an input quantizer is set. */
  protected quantizedInput(x: tf.Tensor, training: boolean): tf.Tensor {
    return this.inputQuantizer ? this.inputQuantizer.call(x, { training }) : x;
  }

  /**
   * The core product of the layer (matmul, convolution) without bias or activation, in the
   * layer's data format. Override it to run a different arithmetic; the base then adds the bias
   * and applies the activation after it.
   */
  protected abstract multiply(inputs: tf.Tensor, kernel: tf.Tensor): tf.Tensor;

  /**
   * Product, bias and activation in one call, as the replaced tfjs layer computes them (fused
   * when tfjs fuses). Used only when `multiply` is not overridden.
   */
  protected abstract stockForward(inputs: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor;

  /** Adds the bias along the channel axis of the product. */
  protected abstract addBias(product: tf.Tensor, bias: tf.Tensor): tf.Tensor;

  /** True when a subclass replaced `multiply`. */
  protected get multiplyOverridden(): boolean {
    return this.multiply !== this.stockMultiply();
  }

  /** The `multiply` of the concrete lowbit layer class that defines the stock product. */
  protected abstract stockMultiply(): (inputs: tf.Tensor, kernel: tf.Tensor) => tf.Tensor;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? exactlyOne(inputs, this.name) : inputs;
      const training = kwargs?.training === true;
      const input = this.quantizedInput(x, training);
      const kernel = this.quantizedKernel(training);
      const bias = this.bias ? this.bias.read() : null;
      if (!this.multiplyOverridden) return this.stockForward(input, kernel, bias);
      let y = this.multiply(input, kernel);
      if (bias) y = this.addBias(y, bias);
      return this.activationFn.apply(y);
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return this.reference.computeOutputShape(inputShape);
  }

  /** Weight and input precision, from the quantizers (float32 when none). */
  lowbitPrecision(): LayerPrecision {
    return {
      weight: { ...(this.kernelQuantizer?.precision() ?? FLOAT32) } as OperandPrecision,
      input: { ...(this.inputQuantizer?.precision() ?? FLOAT32) } as OperandPrecision,
    };
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
    if (this.kernel == null) throw new LowbitConfigError(`${this.name}.kernel`, null, 'the layer must be built (called on an input) first');
    // read() returns the layer's variable itself: never dispose it.
    const out: QuantizedExport = { kernel: this.kernelQuantizer.quantize(this.kernel.read()) };
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
      ...super.getConfig(),
    };
  }
}

function pickBaseArgs(args: LayerArgs & QuantizerArgs): LayerArgs {
  if (args === null || typeof args !== 'object') throw new LowbitConfigError('args', args, 'expected an object of layer arguments');
  const base: Record<string, unknown> = {};
  for (const key of BASE_ARG_KEYS) if (key in args) base[key] = (args as Record<string, unknown>)[key];
  return base as LayerArgs;
}

function exactlyOne(inputs: tf.Tensor[], name: string): tf.Tensor {
  if (inputs.length !== 1) throw new LowbitConfigError(`${name}.inputs`, inputs.length, 'expected exactly one input tensor');
  return inputs[0];
}

type TfjsInitializer = Parameters<tfl.layers.Layer['addWeight']>[3];

/** Quantizers may name an initializer ('zeros', 'ones') or pass a tfjs Initializer. */
function resolveInitializer(initializer: unknown): TfjsInitializer {
  if (initializer === undefined || initializer === null) return tfl.initializers.zeros();
  if (typeof initializer === 'string') {
    const factory = (tfl.initializers as unknown as Record<string, ((a?: object) => TfjsInitializer) | undefined>)[initializer];
    if (typeof factory !== 'function') throw new LowbitConfigError('initializer', initializer, 'expected a tfjs initializer name such as "zeros" or "ones"');
    return factory({});
  }
  return initializer as TfjsInitializer;
}
