/**
 * The suite's LeNet-like networks, one per technique, all with the same topology
 * (`conv1`C5 - MP2 - `conv2`C5 - MP2 - `fc1` - 10) so their costs compare layer by layer.
 * Layer names are the same in every net (conv1, conv2, fc1, logits) for the per-layer charts.
 *
 * ```ts
 * const model = floatNet(SUITE_SIZES, 1);
 * ```
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitUniformQuantizer } from '@lowbit/quant-core';
import { buildWrpnLenet, wrpnPolicy } from '@lowbit/wrpn-layers';
import { logConv2d, logDense } from '@lowbit/log-domain';
import { wageActivation, wageConv2d, wageDense, wageErrorQuantizer } from '@lowbit/wage-train';
import { appMulConv2d, appMulDense } from '@lowbit/fames-appmul';

export interface NetSizes {
  conv1: number;
  conv2: number;
  fc1: number;
}

/** Half of the classic 32-64-512 LeNet (a quarter of the MACs), so the default run fits in 30 min on 2 cores. */
export const SUITE_SIZES: NetSizes = { conv1: 16, conv2: 32, fc1: 256 };

const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** Float32 baseline: plain tfjs layers, ReLU, softmax. */
export function floatNet(s: NetSizes, seed: number): tfl.Sequential {
  return tfl.sequential({
    name: 'float32',
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: s.conv1,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: glorot(seed),
        name: 'conv1',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({
        filters: s.conv2,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: glorot(seed + 1),
        name: 'conv2',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: s.fc1, activation: 'relu', kernelInitializer: glorot(seed + 2), name: 'fc1' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(seed + 3), name: 'logits' }),
    ],
  });
}

/** WRPN: w4a4 inner layers, 8-bit first/last layers, every layer `width` times wider (not the logits). */
export function wrpnNet(s: NetSizes, seed: number, width = 2, bits = 4): tfl.Sequential {
  const policy = wrpnPolicy({ weightBits: bits, inputBits: bits });
  return buildWrpnLenet({ conv1: s.conv1, conv2: s.conv2, fc: s.fc1, width, seed, policy });
}

/**
 * Log-domain: 4-bit base-2 log weights (FSR calibrated per tensor) and 4-bit log activations on
 * every layer input after the first; the first layer reads the pixels as 8-bit linear codes
 * (the paper's LinearQuant with FSR 0: steps of 2^-8).
 */
export function logNet(s: NetSizes, seed: number, bits = 4): tfl.Sequential {
  const log = { weightBits: bits, inputBits: bits };
  return tfl.sequential({
    name: 'log_domain',
    layers: [
      logConv2d({
        inputShape: [28, 28, 1],
        filters: s.conv1,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: glorot(seed),
        name: 'conv1',
        weightBits: bits,
        inputBits: 8,
        linearInput: true,
        inputFsr: 0,
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      logConv2d({
        filters: s.conv2,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: glorot(seed + 1),
        name: 'conv2',
        ...log,
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      logDense({ units: s.fc1, activation: 'relu', kernelInitializer: glorot(seed + 2), name: 'fc1', ...log }),
      logDense({ units: 10, activation: 'softmax', kernelInitializer: glorot(seed + 3), name: 'logits', ...log }),
    ],
  });
}

export interface WageBits {
  W: number;
  A: number;
  G: number;
  E: number;
}

/** WAGE k_W-k_A-k_G-k_E (default 2-8-8-8): no biases, no batch norm, SSE loss; inputs in [-1, 1]. */
export function wageNet(s: NetSizes, seed: number, bits: WageBits = { W: 2, A: 8, G: 8, E: 8 }): tfl.Sequential {
  return tfl.sequential({
    name: 'wage',
    layers: [
      wageActivation({ inputShape: [28, 28, 1], relu: false, errorBits: null, outputBits: bits.A, name: 'input_q' }),
      wageConv2d({ filters: s.conv1, kernelSize: 5, weightBits: bits.W, inputBits: bits.A, seed, name: 'conv1' }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E, name: 'act1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      wageConv2d({
        filters: s.conv2,
        kernelSize: 5,
        weightBits: bits.W,
        inputBits: bits.A,
        seed: seed + 1,
        name: 'conv2',
      }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E, name: 'act2' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      wageDense({ units: s.fc1, weightBits: bits.W, inputBits: bits.A, seed: seed + 2, name: 'fc1' }),
      wageActivation({ outputBits: bits.A, errorBits: bits.E, name: 'act3' }),
      wageDense({ units: 10, weightBits: bits.W, inputBits: bits.A, seed: seed + 3, name: 'logits' }),
      wageErrorQuantizer({ errorBits: bits.E, name: 'error_q' }),
    ],
  });
}

/** Bits of the FAMES net's quantized layers: mixed precision, as the paper's setting asks. */
export const FAMES_BITS = {
  conv1: { weight: 8, input: 8 },
  conv2: { weight: 4, input: 4 },
  fc1: { weight: 4, input: 6 },
  logits: { weight: 8, input: 8 },
} as const;

/**
 * FAMES: a mixed-precision quantized net (uniform symmetric per-channel weights, unsigned EMA-range
 * activations) whose weight layers are `appMulConv2d` / `appMulDense` (AppMul arithmetic): trained with
 * exact products, then each gets an approximate multiplier chosen from the counting matrices.
 */
export function famesNet(s: NetSizes, seed: number): tfl.Sequential {
  const w = (bits: number) => new LowbitUniformQuantizer({ bits, symmetric: true, perChannel: true, axis: -1 });
  const a = (bits: number) => new LowbitUniformQuantizer({ bits, symmetric: true, signed: false, range: 'ema' });
  const b = FAMES_BITS;
  return tfl.sequential({
    name: 'fames',
    layers: [
      appMulConv2d({
        inputShape: [28, 28, 1],
        filters: s.conv1,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: glorot(seed),
        name: 'conv1',
        kernelQuantizer: w(b.conv1.weight),
        inputQuantizer: a(b.conv1.input),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      appMulConv2d({
        filters: s.conv2,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: glorot(seed + 1),
        name: 'conv2',
        kernelQuantizer: w(b.conv2.weight),
        inputQuantizer: a(b.conv2.input),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      appMulDense({
        units: s.fc1,
        activation: 'relu',
        kernelInitializer: glorot(seed + 2),
        name: 'fc1',
        kernelQuantizer: w(b.fc1.weight),
        inputQuantizer: a(b.fc1.input),
      }),
      appMulDense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: glorot(seed + 3),
        name: 'logits',
        kernelQuantizer: w(b.logits.weight),
        inputQuantizer: a(b.logits.input),
      }),
    ],
  });
}
