/**
 * `LowbitQuantActivation` (`quantActivation`): the generic quantized activation layer. It computes
 * `outputQuantizer(activation(inputQuantizer(x)))`, each part optional, and has no weights of its
 * own (stateful quantizers add theirs). Techniques whose activation is a quantizer use it with
 * their part: WRPN's clipped activation, WAGE's `ReLU -> Q_E -> Q_A`, DQA's mixed-precision
 * activations. Input: one float32 tensor of rank >= 1, not empty (else a LowbitConfigError); NaN
 * values propagate through the activation and the quantizers.
 *
 * ```ts
 * quantActivation({
 *   activation: 'relu',
 *   outputQuantizer: { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } },
 * });
 * quantActivation({ outputQuantizer: 'wage' });   // Q_A only
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { ActivationIdentifier } from '@tensorflow/tfjs-layers/dist/keras_format/activation_config.js';
import { LowbitConfigError } from '../errors.js';
import type { LayerPrecision } from '../precision.js';
import type { Quantizer } from '../quantizer.js';
import { getQuantizer, serializeQuantizer, type QuantizerIdentifier } from '../registry.js';
import { checkApplyInputs, tfjsReference } from './check-args.js';
import { checkLayerInput } from './check-input.js';
import { BASE_ARG_KEYS, exactlyOne, pickBaseArgs, quantizerHostOf } from './layer-utils.js';
import type { Kwargs, TfjsActivation } from './quant-layer.js';

export interface QuantActivationArgs extends LayerArgs {
  /** A tfjs activation name (default 'linear'). */
  activation?: ActivationIdentifier;
  /** Quantizer applied before the activation. */
  inputQuantizer?: QuantizerIdentifier | null;
  /** Quantizer applied after the activation (what the next layer receives). */
  outputQuantizer?: QuantizerIdentifier | null;
}

const OWN_KEYS = ['activation', 'inputQuantizer', 'outputQuantizer'];

export class LowbitQuantActivation extends tfl.layers.Layer {
  static className = 'LowbitQuantActivation';
  readonly inputQuantizer: Quantizer | null;
  readonly outputQuantizer: Quantizer | null;
  /** tfjs's Activation layer parses and saves `activation` exactly as tfjs does. */
  private readonly reference: tfl.layers.Layer;

  constructor(args: QuantActivationArgs = {}) {
    super(pickBaseArgs(args ?? {}));
    if (args === null) args = {};
    const extra = Object.keys(args).filter(
      (k) =>
        !OWN_KEYS.includes(k) &&
        !(BASE_ARG_KEYS as readonly string[]).includes(k) &&
        // tfjs adds customObjects to a layer's config when it deserializes a model.
        k !== 'customObjects',
    );
    if (extra.length)
      throw new LowbitConfigError(
        `quantActivation.${extra[0]}`,
        (args as Record<string, unknown>)[extra[0]!],
        `unknown argument; expected one of ${OWN_KEYS.join(', ')} or a tfjs layer argument`,
      );
    this.inputQuantizer = getQuantizer(args.inputQuantizer, 'inputQuantizer');
    this.outputQuantizer = getQuantizer(args.outputQuantizer, 'outputQuantizer');
    this.reference = tfjsReference('quantActivation', { activation: args.activation ?? 'linear' }, (a) =>
      tfl.layers.activation({ ...(a as { activation: ActivationIdentifier }), name: `${this.name}__reference` }),
    );
  }

  lowbitOperation(): 'activation' {
    return 'activation';
  }

  private get activationFn(): TfjsActivation {
    return (this.reference as unknown as { activation: TfjsActivation }).activation;
  }

  /** The tfjs activation name. */
  get activation(): string {
    return this.activationFn.getClassName();
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (!this.built) {
      const host = quantizerHostOf(this);
      const dims = shape.map((d) => d ?? -1);
      this.inputQuantizer?.build(dims, host, 'input_quantizer');
      this.outputQuantizer?.build(dims, host, 'output_quantizer');
    }
    this.built = true;
  }

  /** tfjs's `apply`, with the input checked first (typed errors for concrete tensors). */
  override apply(
    inputs: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[],
    kwargs?: Kwargs,
  ): tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[] {
    checkApplyInputs(this.name, inputs, (x) => checkLayerInput(this.name, x, { minRank: 1 }));
    return super.apply(inputs, kwargs);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? exactlyOne(inputs, this.name) : inputs;
      checkLayerInput(this.name, x, { minRank: 1 });
      const training = kwargs?.training === true;
      let y = this.inputQuantizer ? this.inputQuantizer.call(x, { training }) : x;
      y = this.activationFn.apply(y);
      return this.outputQuantizer ? this.outputQuantizer.call(y, { training }) : y;
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  /** The quantized operands: output (and input) precision. */
  lowbitPrecision(): LayerPrecision {
    const p: LayerPrecision = {};
    if (this.inputQuantizer) p.input = { ...this.inputQuantizer.precision() };
    if (this.outputQuantizer) p.output = { ...this.outputQuantizer.precision() };
    return p;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      activation: this.activation,
      inputQuantizer: serializeQuantizer(this.inputQuantizer) as unknown as tf.serialization.ConfigDictValue,
      outputQuantizer: serializeQuantizer(this.outputQuantizer) as unknown as tf.serialization.ConfigDictValue,
      ...super.getConfig(),
    };
  }
}
tf.serialization.registerClass(LowbitQuantActivation);

/** Creates a {@link LowbitQuantActivation}. */
export function quantActivation(args: QuantActivationArgs = {}): LowbitQuantActivation {
  return new LowbitQuantActivation(args);
}
