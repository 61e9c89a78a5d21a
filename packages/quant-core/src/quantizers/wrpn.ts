/**
 * `LowbitWrpnQuantizer` (alias `'wrpn'`): the quantizers of WRPN (Mishra et al., ICLR 2018).
 *
 * Activations (`mode: 'activation'`, k bits, unsigned; replaces the ReLU):
 *   forward  `a_q = round((2^k - 1) * clip(a, 0, 1)) / (2^k - 1)`
 *   backward straight-through, `dy` where `0 <= a <= 1`, 0 outside.
 * Weights (`mode: 'weight'`, k bits = 1 sign bit + k-1 magnitude bits):
 *   forward  `w_q = round((2^(k-1) - 1) * clip(w, -1, 1)) / (2^(k-1) - 1)`; k = 2 is ternary {-1, 0, 1};
 *            k = 1 is `sign(w) * mean|w|` (BWN scale, sign of 0 is +1)
 *   backward identity to the float shadow weight (no mask).
 * Computed in float32 as `round(n x) / n` (n = 2^k - 1 or 2^(k-1) - 1), ties to even; the integer
 * export (`quantize`: codes q, scale 1/n) reproduces `call` bit for bit.
 *
 * ```ts
 * const wq = new LowbitWrpnQuantizer({ bits: 4 });                      // weights
 * const aq = new LowbitWrpnQuantizer({ bits: 4, mode: 'activation' });  // activations
 * aq.call(tf.tensor([-0.2, 0.5, 1.3])); // [0, 0.5333, 1]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantAffine, quantizeAffine } from '../ops/fake-quant-affine.js';
import { straightThrough } from '../ops/ste.js';
import type { OperandPrecision } from '../precision.js';
import type { QuantizedTensor } from '../quantized-tensor.js';
import { Quantizer, type QuantizerCallOptions } from '../quantizer.js';
import { registerQuantizer } from '../registry.js';
import { checkOneOf } from '../validate.js';
import {
  checkBits,
  checkCallOptions,
  checkConfig,
  checkFloatTensor,
  maskedSte,
  quantizeSignTimesMeanAbs,
  signTimesMeanAbs,
} from './common.js';

export type QuantizerMode = 'weight' | 'activation';

export interface WrpnQuantizerConfig {
  /** Bits per value, 1..24 (default 4). */
  bits?: number;
  /** `'weight'` (signed, identity gradient; default) or `'activation'` (unsigned, replaces ReLU). */
  mode?: QuantizerMode;
}

/** The affine parameters of a k-bit WRPN grid: levels `q / n`, `q` in [qmin, qmax]. */
export function wrpnGrid(bits: number, mode: QuantizerMode): { inverseScale: number; qmin: number; qmax: number } {
  checkOneOf('mode', mode, ['weight', 'activation'] as const);
  checkBits(bits, mode === 'weight' ? 2 : 1);
  const n = mode === 'activation' ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
  return { inverseScale: n, qmin: mode === 'activation' ? 0 : -n, qmax: n };
}

export class LowbitWrpnQuantizer extends Quantizer {
  static className = 'LowbitWrpnQuantizer';
  readonly bits: number;
  readonly mode: QuantizerMode;

  constructor(config: WrpnQuantizerConfig = {}) {
    super();
    const c = checkConfig<WrpnQuantizerConfig>('LowbitWrpnQuantizer', config, ['bits', 'mode']);
    this.mode = checkOneOf('mode', c.mode ?? 'weight', ['weight', 'activation'] as const);
    this.bits = checkBits(c.bits ?? 4);
  }

  call(x: tf.Tensor, options?: QuantizerCallOptions): tf.Tensor {
    checkFloatTensor('x', x);
    checkCallOptions(options);
    if (this.mode === 'activation') {
      const grid = wrpnGrid(this.bits, 'activation');
      return maskedSte(x, (t) => fakeQuantAffine(t, grid), 0, 1);
    }
    if (this.bits === 1) return straightThrough(x, signTimesMeanAbs);
    const grid = wrpnGrid(this.bits, 'weight');
    return straightThrough(x, (t) => fakeQuantAffine(t, grid));
  }

  precision(): OperandPrecision {
    if (this.mode === 'activation')
      return { kind: this.bits === 1 ? 'zero-one' : 'int', bits: this.bits, signed: false };
    if (this.bits === 1) return { kind: 'binary', bits: 1, signed: true };
    if (this.bits === 2) return { kind: 'ternary', bits: 2, signed: true };
    return { kind: 'int', bits: this.bits, signed: true };
  }

  /** Codes and scale; at 1 bit (weights) codes are +-1 with scale mean|w|. */
  quantize(x: tf.Tensor): QuantizedTensor {
    checkFloatTensor('x', x);
    if (this.mode === 'weight' && this.bits === 1) return quantizeSignTimesMeanAbs(x);
    return quantizeAffine(x, wrpnGrid(this.bits, this.mode), { bits: this.bits, signed: this.mode === 'weight' });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { bits: this.bits, mode: this.mode };
  }
}

registerQuantizer(LowbitWrpnQuantizer, ['wrpn']);
