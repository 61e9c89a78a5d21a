/**
 * Builds a WRPN network from a {@link NetSpec} and a {@link WrpnPolicy}:
 * - every conv/dense layer becomes a quantized layer with a WRPN weight quantizer at the
 *   policy's `weightBits` (none at 32) and an input quantizer at its `activationBits` (none at 32);
 * - the ReLU after every hidden conv/dense becomes a {@link LowbitWrpnActivation} at the bits of
 *   the next weight layer's input (a plain ReLU when that is 32, i.e. float);
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
 * ```ts
 * const model = buildWrpnLenet({ width: 2, policy: wrpnPolicy({ weightBits: 4, activationBits: 4 }) });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { checkBoolean, checkInteger, LowbitConfigError, quantConv2d, quantDense } from '@lowbit/quant-core';
import { lastWeightLayerIndex, lenetSpec, widenSpec, type LenetSizes, type NetSpec } from './net-spec.js';
import type { LayerPosition, WrpnPolicy } from './policy.js';
import { wrpnActivation, wrpnQuantizerConfig } from './wrpn-activation.js';

export interface BuildOptions {
  policy: WrpnPolicy;
  /** Seed of the weight initialisers (layer i uses seed + i), so runs are repeatable. Default 1. */
  seed?: number;
  /** Batch normalization after every hidden conv/dense. Default true. */
  batchNorm?: boolean;
}

export function buildWrpnNet(spec: NetSpec, options: BuildOptions): tfl.Sequential {
  if (options === null || typeof options !== 'object' || typeof options.policy?.bitsFor !== 'function') {
    throw new LowbitConfigError('options.policy', options?.policy, 'expected a policy from wrpnPolicy()');
  }
  const seed = checkInteger('seed', options.seed ?? 1, 0, 2 ** 31 - 1);
  const batchNorm = checkBoolean('batchNorm', options.batchNorm ?? true);
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
    const next = weightIdx.find((j) => j > i);
    const nextInputBits = next === undefined ? 32 : bitsAt(next).activationBits;
    const hidden = i !== last;
    const activation = !hidden ? 'softmax' : nextInputBits === 32 && !batchNorm ? 'relu' : 'linear';
    const common = {
      ...first,
      name: layer.name,
      activation,
      useBias: !(hidden && batchNorm),
      kernelInitializer: hidden
        ? tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: seed + i })
        : tfl.initializers.glorotUniform({ seed: seed + i }),
      kernelQuantizer: bits.weightBits === 32 ? null : wrpnQuantizerConfig(bits.weightBits, 'weight'),
      inputQuantizer: bits.activationBits === 32 ? null : wrpnQuantizerConfig(bits.activationBits, 'activation'),
    } as const;
    if (layer.type === 'conv2d') {
      model.add(quantConv2d({ ...common, filters: layer.filters, kernelSize: layer.kernelSize, strides: layer.strides ?? 1, padding: layer.padding ?? 'valid' }));
    } else {
      model.add(quantDense({ ...common, units: layer.units }));
    }
    if (!hidden) return;
    // Momentum 0.9 (tfjs default 0.99): the inference statistics settle within tens of steps.
    if (batchNorm) model.add(tfl.layers.batchNormalization({ name: `${layer.name}_bn`, momentum: 0.9 }));
    if (nextInputBits !== 32) model.add(wrpnActivation({ bits: nextInputBits, name: `${layer.name}_wrpn_act` }));
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
  const { width = 1, policy, seed, batchNorm, ...sizes } = options ?? ({} as WrpnLenetOptions);
  return buildWrpnNet(widenSpec(lenetSpec(sizes), width), { policy, seed, batchNorm });
}
