/**
 * What the WAGE weight layers ({@link LowbitWageDense}, {@link LowbitWageConv2D}) share: their
 * extra arguments, the argument rewrite that makes a quantDense/quantConv2d into a WAGE layer
 * (no bias, linear, WAGE initializer, WAGE kernel quantizer), the kernel set-up their build()
 * does, their saved config and their precision report. The two classes only delegate here.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LowbitConfigError, LowbitWageQuantizer, checkInteger, wageAlpha, type LayerPrecision, type OperandPrecision } from '@lowbit/quant-core';
import { checkWageBits, maxWageCode } from './bits.js';
import { fanInOf, snapToWageGrid, wageInitialKernel } from './wage-init.js';

export interface WageWeightArgs {
  /** Weight bit width k_W, 2..16 (default 2: ternary). */
  bitsW?: number;
  /** Bit width k_A of the WAGE activation feeding this layer, for precision reports (default 8). */
  inputBits?: number;
  /** Seed of the WAGE initializer (default 0). */
  seed?: number;
}

/** Arguments a WAGE layer fixes itself; passing them is an error (except the values it uses). */
const FIXED = ['kernelQuantizer', 'inputQuantizer'] as const;

/**
 * The quantDense/quantConv2d arguments of a WAGE layer. Throws for a bias, a non-linear
 * activation, or a quantizer argument (the layer sets its own).
 */
/** A WAGE layer's own settings, validated. */
export interface WageWeightSettings {
  bitsW: number;
  inputBits: number;
  seed: number;
  /** The user gave a kernelInitializer: snap its values to the k_W grid instead of WAGE's init. */
  customInit: boolean;
}

export function wageBaseArgs<T extends object>(layer: string, args: T & WageWeightArgs): WageWeightSettings & { base: Record<string, unknown> } {
  if (args === null || typeof args !== 'object') throw new LowbitConfigError('args', args, `expected an object of ${layer} arguments`);
  const a = args as Record<string, unknown>;
  const bitsW = checkWageBits('bitsW', a.bitsW ?? 2);
  const inputBits = checkWageBits('inputBits', a.inputBits ?? 8);
  const seed = checkInteger('seed', a.seed ?? 0, 0, 0xffffffff);
  for (const key of FIXED) {
    // A saved WAGE layer carries no quantizer entries; anything else would be silently replaced.
    if (a[key] !== undefined) throw new LowbitConfigError(key, a[key], `${layer} sets its own quantizers from bitsW; do not pass ${key}`);
  }
  if (a.useBias !== undefined && a.useBias !== false) throw new LowbitConfigError('useBias', a.useBias, `${layer} has no bias (WAGE replaces bias and batch norm by a constant scale); expected false`);
  if (a.activation !== undefined && a.activation !== 'linear') {
    throw new LowbitConfigError('activation', a.activation, `expected 'linear'; put a wageActivation layer (ReLU, Q_E, Q_A) after ${layer}`);
  }
  const base: Record<string, unknown> = { ...a };
  delete base.bitsW;
  delete base.inputBits;
  delete base.seed;
  base.useBias = false;
  base.activation = 'linear';
  // The WAGE initial kernel is written in build (it needs the seed and fan_in); tfjs only
  // allocates the variable, with zeros.
  const customInit = a.kernelInitializer != null;
  if (!customInit) base.kernelInitializer = 'zeros';
  base.kernelQuantizer = wageKernelQuantizer(bitsW, 1);
  base.inputQuantizer = null;
  return { base, bitsW, inputBits, seed, customInit };
}

/** Weight kind: ternary at 2 bits, else a signed integer. */
export function wageWeightPrecision(bitsW: number): OperandPrecision {
  return bitsW === 2 ? { kind: 'ternary', bits: 2, signed: true } : { kind: 'int', bits: bitsW, signed: true };
}

/** Bits an accumulator needs for `fanIn` products of k_A-bit and k_W-bit codes (sign included). */
export function wageAccumulatorBits(fanIn: number, bitsA: number, bitsW: number): number {
  const maxSum = fanIn * maxWageCode(bitsA) * maxWageCode(bitsW);
  return Math.ceil(Math.log2(maxSum + 1)) + 1;
}

export function wagePrecision(bitsW: number, inputBits: number, fanIn: number | null): LayerPrecision {
  const p: LayerPrecision = { weight: wageWeightPrecision(bitsW), input: { kind: 'int', bits: inputBits, signed: true } };
  if (fanIn !== null) p.accumulatorBits = wageAccumulatorBits(fanIn, inputBits, bitsW);
  return p;
}

/** Forward weights `Q(C(W, k_W), k_W) / alpha`, straight-through gradient (quant-core's quantizer). */
export function wageKernelQuantizer(bitsW: number, alpha: number): LowbitWageQuantizer {
  return new LowbitWageQuantizer({ bits: bitsW, mode: 'weight', alpha });
}

/** What build() derives once the kernel exists. */
export interface WageKernelSetup {
  fanIn: number;
  /** The constant scale divisor alpha (a power of two >= 1). */
  alpha: number;
  /** `Q(C(W, k_W), k_W) / alpha` for this layer's alpha. */
  quantizer: LowbitWageQuantizer;
}

/**
 * The WAGE part of build(), after the base layer allocated `kernel`: the first time (`fresh`),
 * writes WAGE's seeded initial kernel (or snaps a user-initialised one to the k_W grid); then
 * derives fan_in, alpha and the kernel quantizer (alpha depends on fan_in, known only now).
 */
export function setUpWageKernel(kernel: tfl.LayerVariable, fresh: boolean, w: WageWeightSettings): WageKernelSetup {
  const shape = kernel.shape as number[];
  const fanIn = fanInOf(shape);
  if (fresh) {
    const initial = w.customInit ? snapToWageGrid(kernel.read(), w.bitsW) : wageInitialKernel(shape, w.bitsW, w.seed);
    kernel.write(initial);
    initial.dispose();
  }
  const alpha = wageAlpha(w.bitsW, fanIn);
  return { fanIn, alpha, quantizer: wageKernelQuantizer(w.bitsW, alpha) };
}

/** The saved config: quantizers follow from bitsW, so the WAGE settings are saved instead. */
export function wageLayerConfig(config: tf.serialization.ConfigDict, w: WageWeightSettings): tf.serialization.ConfigDict {
  const out = { ...config };
  delete out.kernelQuantizer;
  delete out.inputQuantizer;
  if (!w.customInit) delete out.kernelInitializer;
  return { ...out, bitsW: w.bitsW, inputBits: w.inputBits, seed: w.seed };
}
