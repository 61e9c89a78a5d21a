/**
 * The default initializer of a quantized WRPN kernel (`LowbitWrpnUniform`, registered with tfjs
 * serialization, so a layer using it saves and loads with no custom objects):
 * `U(-L, L)` with `L = min(1, max(sqrt(6 / (fanIn + fanOut)), 1.5 / n))`, `n = 2^(k-1) - 1`.
 *
 * Why not tfjs' Glorot-uniform default alone: WRPN's weight grid is fixed at [-1, 1] with steps of
 * `1 / n` (no scale), so a weight rounds to 0 when `|w| < 1 / (2n)`. Glorot's limit falls below that
 * in wide layers (the 4-bit 64C5 on 32 channels of a LeNet: 0.05 < 1/14), every weight rounds to 0,
 * the layer outputs 0 and passes no gradient back: the net does not train. `1.5 / n` keeps two
 * thirds of the draws off 0 (as WAGE's `1.5 sigma`); where Glorot's limit is larger (8-bit layers,
 * the class outputs) it is used unchanged, so a layer not followed by batch norm keeps a
 * fan-scaled start. 1-bit kernels (`sign(w) mean|w|`) have no zero level: Glorot.
 *
 * ```ts
 * wrpnDense({ units: 512, weightBits: 4 });  // kernelInitializer: LowbitWrpnUniform { bits: 4 }
 * new LowbitWrpnUniform({ bits: 4, seed: 1 }).apply([800, 64]); // U(-0.214, 0.214)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkInteger, checkKnownKeys, LowbitConfigError, LowbitInitializer } from '@lowbit/quant-core';

export interface WrpnUniformConfig {
  /** Weight bits k of the WRPN grid, 1-16. */
  bits: number;
  /** Seed of the draws; absent: tfjs' random seed. */
  seed?: number;
}

/** Fan-in and fan-out of a dense `[in, out]` or conv `[kh, kw, cin, cout]` kernel (tfjs' rule). */
function fans(shape: readonly number[]): [number, number] {
  if (!Array.isArray(shape) || shape.length < 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LowbitConfigError('shape', shape, 'expected a kernel shape of rank >= 2 with positive integer sizes');
  }
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [receptive * shape[shape.length - 2], receptive * shape[shape.length - 1]];
}

/** The limit L of the uniform draws for a kernel of `shape` at `bits`. */
export function wrpnUniformLimit(shape: readonly number[], bits: number): number {
  checkInteger('bits', bits, 1, 16);
  const [fanIn, fanOut] = fans(shape);
  const glorot = Math.sqrt(6 / (fanIn + fanOut));
  if (bits === 1) return glorot;
  return Math.min(1, Math.max(glorot, 1.5 / (2 ** (bits - 1) - 1)));
}

export class LowbitWrpnUniform extends LowbitInitializer {
  static className = 'LowbitWrpnUniform';
  readonly bits: number;
  readonly seed: number | undefined;

  constructor(config: WrpnUniformConfig) {
    super();
    if (config === null || typeof config !== 'object') {
      throw new LowbitConfigError('LowbitWrpnUniform', config, 'expected { bits, seed? }');
    }
    checkKnownKeys('LowbitWrpnUniform', config, ['bits', 'seed']);
    this.bits = checkInteger('bits', config.bits, 1, 16);
    this.seed = config.seed == null ? undefined : checkInteger('seed', config.seed, 0, 2 ** 31 - 1);
  }

  apply(shape: tfl.Shape, dtype?: tf.DataType): tf.Tensor {
    if (dtype !== undefined && dtype !== 'float32') throw new LowbitConfigError('dtype', dtype, 'expected float32');
    const limit = wrpnUniformLimit(shape as number[], this.bits);
    return tf.randomUniform(shape as number[], -limit, limit, 'float32', this.seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.seed === undefined ? { bits: this.bits } : { bits: this.bits, seed: this.seed };
  }
}
tf.serialization.registerClass(LowbitWrpnUniform);
