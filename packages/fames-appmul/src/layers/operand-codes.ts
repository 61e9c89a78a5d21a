/**
 * Integer operands of a quantized layer, as an approximate multiplier sees them: the input and
 * kernel codes from their quantizers' `quantize`, and the scale `s_in * s_kernel` (one number,
 * or one per output channel) that turns sums of code products into layer outputs.
 * Shared by {@link LowbitAppMulDense} and {@link LowbitAppMulConv2D}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError, LowbitDataError, type Quantizer } from '@lowbit/quant-core';
import type { AppMul } from '../appmul.js';
import { codeRange } from '../operand.js';

export interface OperandCodes<T extends tf.Tensor = tf.Tensor> {
  /** Activation codes, int32, the input's shape. */
  aCodes: T;
  /** Weight codes, int32, the kernel's shape. */
  wCodes: T;
  /** `s_input * s_kernel`: one number, or one per output channel. */
  outputScale: number | Float64Array;
}

/**
 * Codes of `input` and `kernel` (`kernelOutputAxis`: the kernel axis of output channels, for
 * per-channel scales). Throws LowbitConfigError for missing quantizers, non-linear codes,
 * non-zero zero points or per-channel input scales. The caller disposes the returned tensors.
 */
export function operandCodesOf(layerName: string, inputQuantizer: Quantizer | null, kernelQuantizer: Quantizer | null, input: tf.Tensor, kernel: tf.Tensor, kernelOutputAxis: number): OperandCodes {
  if (!inputQuantizer || !kernelQuantizer) {
    throw new LowbitConfigError(`${layerName}.inputQuantizer/kernelQuantizer`, null, 'integer operands (and approximate multipliers) need both an input and a kernel quantizer');
  }
  const qa = inputQuantizer.quantize(input);
  const qw = kernelQuantizer.quantize(kernel);
  if (qa.encoding !== 'linear' || qw.encoding !== 'linear') throw new LowbitConfigError(`${layerName}.quantizers`, qa.encoding === 'linear' ? qw.encoding : qa.encoding, 'an AppMul multiplies linear integer codes (not pow2 / log codes)');
  if (qa.scale.length !== 1) throw new LowbitConfigError(`${layerName}.inputQuantizer`, qa.scale.length, 'expected one input scale (per-tensor)');
  if (qa.zeroPoint.some((z) => z !== 0) || qw.zeroPoint.some((z) => z !== 0)) {
    throw new LowbitConfigError(`${layerName}.quantizers`, 'zeroPoint', 'an AppMul needs zero points of 0 (symmetric or unsigned codes)');
  }
  if (qw.scale.length !== 1 && qw.axis !== kernelOutputAxis) throw new LowbitConfigError(`${layerName}.kernelQuantizer`, qw.axis, `per-channel kernel scales must be along the output axis (${kernelOutputAxis})`);
  const outputScale = qw.scale.length === 1 ? qa.scale[0] * qw.scale[0] : qw.scale.map((s) => s * qa.scale[0]);
  return { aCodes: tf.tensor(qa.codes, qa.shape, 'int32'), wCodes: tf.tensor(qw.codes, qw.shape, 'int32'), outputScale };
}

/** Throws LowbitDataError when codes fall outside the multiplier's operand ranges. */
export function checkCodesFit(layerName: string, m: AppMul, aCodes: tf.Tensor, wCodes: tf.Tensor): void {
  for (const [codes, spec, which] of [[aCodes, m.a, 'input'], [wCodes, m.w, 'kernel']] as const) {
    const [lo, hi] = codeRange(spec);
    const [mn, mx] = tf.tidy(() => [tf.min(codes).dataSync()[0], tf.max(codes).dataSync()[0]]);
    if (mn < lo || mx > hi) {
      throw new LowbitDataError(layerName, `${which} codes span [${mn}, ${mx}], outside multiplier ${m.name}'s ${spec.bits}-bit ${spec.signed ? 'signed' : 'unsigned'} range [${lo}, ${hi}]`);
    }
  }
}

/** `outputScale` as a tensor broadcasting along the last axis. */
export function scaleTensor(outputScale: number | Float64Array): tf.Tensor {
  return typeof outputScale === 'number' ? tf.scalar(outputScale) : tf.tensor1d(Float32Array.from(outputScale));
}

/**
 * Calibration hooks used by `countingMatricesOf`: while a layer's `countingProbe` is set, the
 * layer keeps its operand codes and adds `probe` (zeros) to its product, so that the gradient of
 * the loss with respect to the probe is dL/d(product).
 */
export interface CountingProbe {
  codes?: OperandCodes;
  productShape?: number[];
  probe?: tf.Variable;
}

/** The product with the probe added, recording codes on first use (see {@link CountingProbe}). */
export function probedProduct(probe: CountingProbe, product: tf.Tensor, codes: () => OperandCodes): tf.Tensor {
  if (!probe.codes) {
    const c = codes();
    tf.keep(c.aCodes);
    tf.keep(c.wCodes);
    probe.codes = c;
    probe.productShape = product.shape;
  }
  return probe.probe ? tf.add(product, probe.probe) : product;
}
