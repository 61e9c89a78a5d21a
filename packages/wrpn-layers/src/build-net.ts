/**
 * Builds a WRPN network from a {@link NetSpec} and a {@link WrpnPolicy}:
 * - every conv/dense layer becomes `wrpnConv2d` / `wrpnDense`: a WRPN weight quantizer at the
 *   policy's `weightBits` (none at 32) and a WRPN input quantizer at its `inputBits` (none at 32);
 * - the ReLU after every hidden conv/dense becomes a `wrpnActivation` at the bits of the next
 *   weight layer's input (a plain ReLU when that is 32, i.e. float);
 * - with `batchNorm` (default true), every hidden conv/dense is followed by batch normalization
 *   (and has no bias of its own) before the activation, as in the WRPN paper's networks: the
 *   WRPN grids are fixed ([-1, 1] for weights, [0, 1] for activations), so pre-activations must
 *   be brought to that scale;
 * - hidden weight layers start from `U(-1, 1)` (the WRPN weight range, so that even 2-bit
 *   ternary weights start spread over their levels; batch norm makes the scale irrelevant to the
 *   forward pass), the last layer from Glorot-uniform. Every policy, including the float
 *   baseline, gets the same architecture and initialisation;
 * - the last weight layer ends in softmax.
 *
 * The hidden layers' input quantizer repeats what the preceding WRPN activation already did (the
 * quantization is idempotent on values already on the grid): it makes each layer's input
 * precision explicit, so `lowbitPrecision()` and `@lowbit/hw-model` see the operand widths.
 *
 * Other techniques' parts go in per layer with `parts`: a function of the layer (name, type,
 * position, policy bits) returning parts that replace WRPN's (`inputQuantizer`) or add to them
 * (`arithmetic`, `outputQuantizer`), and optionally the layer to put after it instead of the WRPN
 * activation (`activationLayer`).
 *
 * ```ts
 * const model = buildWrpnLenet({ width: 2, policy: wrpnPolicy({ weightBits: 4, inputBits: 4 }) });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * buildWrpnLenet({ width: 2, policy, parts: ({ position }) => (position === 'inner' ? { arithmetic: appMul } : {}) });
 * ```
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  LowbitConfigError,
  type ArithmeticIdentifier,
  type QuantizerIdentifier,
} from '@lowbit/quant-core';
import { checkNetSpec, lastWeightLayerIndex, lenetSpec, widenSpec, type LenetSizes, type NetSpec } from './net-spec.js';
import type { LayerBits, LayerPosition, WrpnPolicy } from './policy.js';
import { wrpnActivation } from './wrpn-activation.js';
import { wrpnConv2d, wrpnDense } from './wrpn-layers.js';

/** The weight layer `parts` is asked about. */
export interface WrpnLayerInfo {
  name: string;
  type: 'conv2d' | 'dense';
  position: LayerPosition;
  /** The policy's bits for this layer. */
  bits: LayerBits;
}

/** Parts of other techniques for one weight layer of a WRPN network. */
export interface WrpnExtraParts {
  /** Replaces WRPN's input quantizer (the policy's `inputBits`); `null` removes it. */
  inputQuantizer?: QuantizerIdentifier | null;
  /** The layer's arithmetic (default exact). */
  arithmetic?: ArithmeticIdentifier | null;
  /** Quantizer of the layer's output (before batch norm and the activation). */
  outputQuantizer?: QuantizerIdentifier | null;
  /** Hidden layers: the layer after this one (and its batch norm) instead of the WRPN activation / ReLU. */
  activationLayer?: tfl.layers.Layer;
}

const EXTRA_PART_KEYS = ['inputQuantizer', 'arithmetic', 'outputQuantizer', 'activationLayer'] as const;

export interface BuildOptions {
  policy: WrpnPolicy;
  /** Seed of the weight initialisers (layer i uses seed + i), so runs are repeatable. Default 1. */
  seed?: number;
  /** Batch normalization after every hidden conv/dense. Default true. */
  batchNorm?: boolean;
  /** Other techniques' parts per weight layer (see {@link WrpnExtraParts}). */
  parts?: (layer: WrpnLayerInfo) => WrpnExtraParts | undefined | null;
}

export function buildWrpnNet(spec: NetSpec, options: BuildOptions): tfl.Sequential {
  if (options === null || typeof options !== 'object' || typeof options.policy?.bitsFor !== 'function') {
    throw new LowbitConfigError('options.policy', options?.policy, 'expected a policy from wrpnPolicy()');
  }
  const seed = checkInteger('seed', options.seed ?? 1, 0, 2 ** 31 - 1);
  const batchNorm = checkBoolean('batchNorm', options.batchNorm ?? true);
  if (options.parts !== undefined && typeof options.parts !== 'function') {
    throw new LowbitConfigError('options.parts', options.parts, 'expected a function of the layer returning its parts');
  }
  checkNetSpec('spec', spec);
  checkKnownKeys('options', options, ['policy', 'seed', 'batchNorm', 'parts']);
  const { policy } = options;
  const weightIdx = spec.layers.flatMap((l, i) => (l.type === 'conv2d' || l.type === 'dense' ? [i] : []));
  const last = lastWeightLayerIndex(spec);
  const position = (i: number): LayerPosition => (i === weightIdx[0] ? 'first' : i === last ? 'last' : 'inner');
  const bitsAt = (i: number) => policy.bitsFor(spec.layers[i].name, position(i));

  const model = tfl.sequential({ name: `wrpn_${policy.label().replace(/[^A-Za-z0-9]+/g, '_')}` });
  spec.layers.forEach((layer, i) => {
    const first = i === 0 ? { inputShape: spec.inputShape } : {};
    if (layer.type === 'maxPool') {
      model.add(tfl.layers.maxPooling2d({ ...first, name: layer.name, poolSize: layer.poolSize }));
      return;
    }
    if (layer.type === 'flatten') {
      model.add(tfl.layers.flatten({ ...first, name: layer.name }));
      return;
    }
    const bits = bitsAt(i);
    const info: WrpnLayerInfo = { name: layer.name, type: layer.type, position: position(i), bits: { ...bits } };
    const extra = options.parts?.(info) ?? {};
    if (typeof extra !== 'object') {
      throw new LowbitConfigError(`parts(${layer.name})`, extra, 'expected an object of parts');
    }
    checkKnownKeys(`parts(${layer.name})`, extra, EXTRA_PART_KEYS);
    const { activationLayer, ...layerParts } = extra;
    const next = weightIdx.find((j) => j > i);
    const nextInputBits = next === undefined ? 32 : bitsAt(next).inputBits;
    const hidden = i !== last;
    const activation = !hidden ? 'softmax' : nextInputBits === 32 && !batchNorm && !activationLayer ? 'relu' : 'linear';
    const common = {
      ...first,
      name: layer.name,
      activation,
      useBias: !(hidden && batchNorm),
      kernelInitializer: hidden
        ? tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: seed + i })
        : tfl.initializers.glorotUniform({ seed: seed + i }),
      weightBits: bits.weightBits,
      // An explicit inputQuantizer part replaces WRPN's.
      inputBits: 'inputQuantizer' in layerParts ? undefined : bits.inputBits,
      ...layerParts,
    } as const;
    if (layer.type === 'conv2d') {
      const { filters, kernelSize, strides = 1, padding = 'valid' } = layer;
      model.add(wrpnConv2d({ ...common, filters, kernelSize, strides, padding }));
    } else {
      model.add(wrpnDense({ ...common, units: layer.units }));
    }
    if (!hidden) return;
    // Momentum 0.9 (tfjs default 0.99): the inference statistics settle within tens of steps.
    if (batchNorm) model.add(tfl.layers.batchNormalization({ name: `${layer.name}_bn`, momentum: 0.9 }));
    const act = `${layer.name}_wrpn_act`;
    if (activationLayer) model.add(activationLayer);
    else if (nextInputBits !== 32) model.add(wrpnActivation({ outputBits: nextInputBits, name: act }));
    else if (batchNorm) model.add(tfl.layers.reLU({ name: `${layer.name}_relu` }));
  });
  return model;
}

export interface WrpnLenetOptions extends LenetSizes, BuildOptions {
  /** WRPN width factor (1 = baseline). Default 1. */
  width?: number;
}

/** LeNet-like WRPN network ({@link lenetSpec}) widened by `width` and quantized by `policy`. */
export function buildWrpnLenet(options: WrpnLenetOptions): tfl.Sequential {
  const { width = 1, policy, seed, batchNorm, parts, ...sizes } = options ?? ({} as WrpnLenetOptions);
  return buildWrpnNet(widenSpec(lenetSpec(sizes), width), { policy, seed, batchNorm, parts });
}
