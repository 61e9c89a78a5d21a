/**
 * `wrpnDense` and `wrpnConv2d`: quant-core's generic `quantDense` / `quantConv2d` with WRPN's
 * parts: the WRPN weight quantizer at `weightBits` (`round((2^(k-1)-1) clip(w,-1,1)) / (2^(k-1)-1)`,
 * identity gradient) and, with `inputBits`, the WRPN activation quantizer on the layer's input.
 * `width` widens the layer (units / filters times `width`), as WRPN widens a whole network.
 *
 * Every other argument is the tfjs layer's, or another part: a WRPN layer carries other
 * techniques' parts unchanged (`arithmetic`, `outputQuantizer`, or an `inputQuantizer` of its own
 * instead of `inputBits`), so WRPN weights combine with, say, log-coded activations multiplied by
 * an approximate multiplier.
 *
 * ```ts
 * wrpnConv2d({ filters: 32, kernelSize: 5, weightBits: 4, inputBits: 4, width: 2 }); // 64 filters
 * wrpnDense({ units: 10, weightBits: 8 });                                          // float input
 * wrpnDense({ units: 10, weightBits: 4, inputQuantizer: 'log2', arithmetic: myAppMul });
 * ```
 *
 * Bits: 1 to 16, or 32 for float (no quantizer), as `wrpnPolicy` counts them.
 *
 * Initial weights: with a quantized kernel and no `kernelInitializer`, `LowbitWrpnUniform`
 * (Glorot-uniform widened to reach the WRPN grid's first levels; see wrpn-init.ts): tfjs' Glorot
 * default alone rounds every low-bit weight of a wide layer to 0 on WRPN's fixed grid, and such a
 * net does not train.
 */
import {
  checkInteger,
  LowbitConfigError,
  quantConv2d,
  quantDense,
  type LowbitQuantConv2D,
  type LowbitQuantDense,
  type QuantConv2DArgs,
  type QuantDenseArgs,
  type QuantizerIdentifier,
} from '@lowbit/quant-core';
import { checkBits } from './policy.js';
import { LowbitWrpnUniform } from './wrpn-init.js';
import { wrpnQuantizerConfig } from './wrpn-activation.js';

/** What WRPN adds to a weight layer's arguments. */
export interface WrpnLayerOptions {
  /** Weight bits: 1-16, or 32 for a float kernel (no quantizer). */
  weightBits: number;
  /** Input bits: a WRPN activation quantizer on the input (1-16); absent or 32: none (or `inputQuantizer`). */
  inputBits?: number;
  /** WRPN width factor, an integer 1-64 (default 1): units / filters are multiplied by it. */
  width?: number;
}

export type WrpnDenseArgs = Omit<QuantDenseArgs, 'kernelQuantizer'> & WrpnLayerOptions;
export type WrpnConv2DArgs = Omit<QuantConv2DArgs, 'kernelQuantizer'> & WrpnLayerOptions;

interface WrpnParts {
  width: number;
  /** The WRPN default initializer when the kernel is quantized and none was given; else undefined. */
  kernelInitializer: LowbitWrpnUniform | undefined;
  kernelQuantizer: QuantizerIdentifier | null;
  inputQuantizer: QuantizerIdentifier | null | undefined;
}

/** Checks the WRPN options of `factory` and turns them into parts; `rest` keeps everything else. */
function wrpnParts<T extends WrpnLayerOptions & { kernelQuantizer?: unknown; inputQuantizer?: unknown }>(
  factory: string,
  args: T,
): { parts: WrpnParts; rest: Omit<T, keyof WrpnLayerOptions> } {
  if (args === null || typeof args !== 'object')
    throw new LowbitConfigError(factory, args, 'expected { weightBits, ... }');
  if ('kernelQuantizer' in args) {
    throw new LowbitConfigError(
      `${factory}.kernelQuantizer`,
      args.kernelQuantizer,
      'WRPN sets the kernel quantizer from weightBits',
    );
  }
  if ('bits' in args)
    throw new LowbitConfigError(
      `${factory}.bits`,
      (args as { bits?: unknown }).bits,
      'the options are weightBits and inputBits',
    );
  const { weightBits, inputBits, width = 1, ...rest } = args;
  const w = checkBits(`${factory}.weightBits`, weightBits);
  const a = inputBits === undefined ? 32 : checkBits(`${factory}.inputBits`, inputBits);
  if (a !== 32 && rest.inputQuantizer != null) {
    throw new LowbitConfigError(`${factory}.inputBits`, inputBits, 'give either inputBits or inputQuantizer, not both');
  }
  const given = (rest as { kernelInitializer?: unknown }).kernelInitializer;
  const parts: WrpnParts = {
    width: checkInteger(`${factory}.width`, width, 1, 64),
    kernelInitializer: w !== 32 && given === undefined ? new LowbitWrpnUniform({ bits: w }) : undefined,
    kernelQuantizer: w === 32 ? null : wrpnQuantizerConfig(w, 'weight'),
    inputQuantizer:
      a === 32 ? (rest.inputQuantizer as QuantizerIdentifier | null | undefined) : wrpnQuantizerConfig(a, 'activation'),
  };
  return { parts, rest };
}

/** A dense layer with WRPN weights (and inputs, with `inputBits`), `width` times wider. */
export function wrpnDense(args: WrpnDenseArgs): LowbitQuantDense {
  const { parts, rest } = wrpnParts('wrpnDense', args);
  const units = checkInteger('wrpnDense.units', rest.units, 1, 1 << 24);
  return quantDense({
    ...rest,
    ...(parts.kernelInitializer ? { kernelInitializer: parts.kernelInitializer } : {}),
    units: units * parts.width,
    kernelQuantizer: parts.kernelQuantizer,
    inputQuantizer: parts.inputQuantizer,
  });
}

/** A 2-D convolution with WRPN weights (and inputs, with `inputBits`), `width` times wider. */
export function wrpnConv2d(args: WrpnConv2DArgs): LowbitQuantConv2D {
  const { parts, rest } = wrpnParts('wrpnConv2d', args);
  const filters = checkInteger('wrpnConv2d.filters', rest.filters, 1, 1 << 24);
  return quantConv2d({
    ...rest,
    ...(parts.kernelInitializer ? { kernelInitializer: parts.kernelInitializer } : {}),
    filters: filters * parts.width,
    kernelQuantizer: parts.kernelQuantizer,
    inputQuantizer: parts.inputQuantizer,
  });
}
