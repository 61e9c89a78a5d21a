/**
 * `LowbitAppMulArithmetic` (`'appmul'`): the arithmetic part of an approximate multiplier. Given
 * to quant-core's generic layers (`quantDense`, `quantConv2d`, `quantDepthwiseConv2d`) as
 * `arithmetic`, it multiplies the integer codes of the input and kernel quantizers through an
 * AppMul's product table and accumulates exactly:
 *
 * - `product` (training and inference): the codes (`quantize`, zero points 0) through
 *   {@link appMulProduct} (bit-exact integer sums of table products) times `s_input * s_kernel`,
 *   wrapped in quant-core's `straightThroughProduct`: the value is the AppMul's, the gradient the
 *   exact product's, from tfjs's registered gradients (so `model.fit` trains through the
 *   approximate forward, and training-kernels' conv gradients are used where installed);
 * - `integerProduct`: the same on exported codes (`integerForward` equals `predict` bit for bit);
 * - `cost()`: `{ multiply: 'approximate', name, energyRatio }`, the design's energy relative to
 *   the exact multiplier of its operand widths (hw-model prices it with its energy table);
 * - `validate`: both quantizers must give integer codes inside the multiplier's operand ranges.
 *
 * With `multiplier: null` (the default) the products are exact (tfjs's stock path) while the layer
 * keeps its AppMul slot: `countingMatricesOf` counts it and `setMultiplier` fills it.
 *
 * Config: `{ multiplier, table?, appMulPath }`: the multiplier's name (a behavioural library name
 * or a `registerAppMul`ed table), or its table inline (`table`, see `multiplierConfig`), and the
 * simulation path of `appMulMatMul` (`'auto'`, `'lut'`, `'low-rank'`).
 *
 * ```ts
 * const fc = quantDense({ units: 10, inputQuantizer: act4, kernelQuantizer: wgt4,
 *   arithmetic: { className: 'LowbitAppMulArithmetic', config: { multiplier: 'trunc3_a4u_w4s' } } });
 * fc.lowbitPrecision().arithmetic; // { multiply: 'approximate', name: 'trunc3_a4u_w4s', energyRatio: 0.7... }
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  Arithmetic,
  LowbitConfigError,
  LowbitExactArithmetic,
  checkKnownKeys,
  checkOneOf,
  incompatibleParts,
  registerArithmetic,
  straightThroughProduct,
  type ArithmeticCost,
  type IntegerProductContext,
  type ProductContext,
  type ProductParts,
  type QuantizedTensor,
} from '@lowbit/quant-core';
import { AppMul } from '../appmul.js';
import { exactMultiplyEnergyPj } from '../energy.js';
import { codeRange, MAX_OPERAND_BITS, MIN_OPERAND_BITS } from '../operand.js';
import type { AppMulPath } from '../simulate/appmul-matmul.js';
import { appMulProduct } from './appmul-product.js';
import { multiplierConfig, multiplierFromConfig, type AppMulTable } from './multiplier-config.js';

export interface AppMulArithmeticArgs {
  /** The approximate multiplier: an AppMul, its name, or null / absent for exact products. */
  multiplier?: AppMul | string | null;
  /** The multiplier's full table, inline (as `getConfig` saves a table its name cannot find). */
  table?: AppMulTable | null;
  /** Simulation path (see `appMulMatMul`); default 'auto'. */
  appMulPath?: AppMulPath;
}

const PATHS = ['auto', 'lut', 'low-rank'] as const;

/**
 * Throws unless both quantizers give integer codes an AppMul can take: `2..8` bits, and inside the
 * operand ranges of `m` when there is one.
 */
export function checkAppMulParts(parts: ProductParts, arithmetic: Arithmetic, m: AppMul | null): void {
  const slots = [
    ['inputQuantizer', 'input', m?.a],
    ['kernelQuantizer', 'kernel', m?.w],
  ] as const;
  for (const [slot, side, operand] of slots) {
    const quantizer = parts[slot];
    if (quantizer === null) {
      throw incompatibleParts(
        parts,
        arithmetic,
        slot,
        `an approximate multiplier multiplies integer ${side} codes: set an ${slot}`,
      );
    }
    const p = quantizer.precision();
    if (p.kind !== 'int') {
      throw incompatibleParts(
        parts,
        arithmetic,
        slot,
        `an approximate multiplier needs integer ${side} codes, got ${p.kind} codes`,
      );
    }
    if (operand === undefined) {
      if (p.bits < MIN_OPERAND_BITS || p.bits > MAX_OPERAND_BITS) {
        const range = `${MIN_OPERAND_BITS}-${MAX_OPERAND_BITS}`;
        const why = `AppMul operands have ${range} bits, the ${side} codes have ${p.bits}`;
        throw incompatibleParts(parts, arithmetic, slot, why);
      }
      continue;
    }
    const [lo, hi] = codeRange({ bits: p.bits, signed: p.signed });
    const [mLo, mHi] = codeRange(operand);
    if (lo < mLo || hi > mHi) {
      const code = (s: { bits: number; signed: boolean }) => `${s.bits}-bit ${s.signed ? 'signed' : 'unsigned'}`;
      const takes = `${code(operand)} ${side} codes [${mLo}, ${mHi}]`;
      const why = `multiplier ${m!.name} takes ${takes}, the quantizer gives ${code(p)} codes [${lo}, ${hi}]`;
      throw incompatibleParts(parts, arithmetic, slot, why);
    }
  }
}

export class LowbitAppMulArithmetic extends Arithmetic {
  static className = 'LowbitAppMulArithmetic';
  /** The multiplier, or null for exact products. */
  readonly multiplier: AppMul | null;
  readonly appMulPath: AppMulPath;

  constructor(args: AppMulArithmeticArgs = {}) {
    super();
    checkKnownKeys('LowbitAppMulArithmetic', args ?? {}, ['multiplier', 'table', 'appMulPath']);
    this.multiplier = multiplierFromConfig(args?.multiplier, args?.table);
    this.appMulPath = checkOneOf('appMulPath', args?.appMulPath ?? 'auto', PATHS);
  }

  override validate(parts: ProductParts): void {
    checkAppMulParts(parts, this, this.multiplier);
  }

  product(ctx: ProductContext): tf.Tensor | null {
    const m = this.multiplier;
    if (m === null) return null;
    const inputQuantizer = ctx.inputQuantizer!;
    const kernelQuantizer = ctx.kernelQuantizer!;
    return straightThroughProduct(ctx, () => {
      const layout = { operation: ctx.operation, geometry: ctx.geometry, inputShape: ctx.input.shape };
      // read() of the kernel variable is the variable itself: quantize it, never dispose it.
      const input = inputQuantizer.quantize(ctx.input);
      const kernel = kernelQuantizer.quantize(ctx.rawKernel);
      return appMulProduct(ctx.layerName, input, kernel, m, layout, this.appMulPath);
    });
  }

  integerProduct(input: QuantizedTensor, kernel: QuantizedTensor, ctx: IntegerProductContext): tf.Tensor {
    const m = this.multiplier;
    if (m === null) return new LowbitExactArithmetic().integerProduct(input, kernel, ctx);
    const layout = { operation: ctx.operation, geometry: ctx.geometry, inputShape: ctx.inputShape };
    return appMulProduct(ctx.layerName, input, kernel, m, layout, this.appMulPath);
  }

  cost(): ArithmeticCost {
    const m = this.multiplier;
    if (m === null) return { multiply: 'exact', name: 'exact' };
    return { multiply: 'approximate', name: m.name, energyRatio: appMulEnergyRatio(m) };
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      ...multiplierConfig(this.multiplier),
      appMulPath: this.appMulPath,
    } as unknown as tf.serialization.ConfigDict;
  }
}
registerArithmetic(LowbitAppMulArithmetic, ['appmul']);

/** Energy of one product of `m` relative to the exact multiplier of its operand widths. */
export function appMulEnergyRatio(m: AppMul): number {
  if (!(m instanceof AppMul)) throw new LowbitConfigError('m', m, 'expected an AppMul');
  return m.energyPj / exactMultiplyEnergyPj(m.w.bits, m.a.bits);
}
