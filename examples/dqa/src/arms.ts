/**
 * The post-training arms compared with DQA, all on the activations after each ReLU of a trained
 * float net and all built from `@lowbit/dqa-activations`' quantizer (`dqaFakeQuant`, per-channel
 * steps from the same calibration maxima):
 *
 * - direct signed N-bit (the paper's baseline): `delta = max|A| / 2^(N-1)`, codes in [-2^(N-1), 2^(N-1) - 1];
 * - direct unsigned N-bit: `delta = max A / (2^N - 1)`, codes in [0, 2^N - 1] (what a ReLU output
 *   needs; run as the signed (N+1)-bit quantizer with that step, whose negative codes a ReLU
 *   output never reaches, so it is exactly the unsigned N-bit grid);
 * - DQA with the calibrated ranking, or with `important` channels drawn at random;
 * - NoisyQuant-style: a fixed noise n_c ~ U(-delta_c / 2, delta_c / 2) per channel, drawn once,
 *   added before the direct signed N-bit quantizer and subtracted after (`Q(A + n) - n`). Being
 *   constant per channel, the subtraction folds into the next layer's bias on a device.
 *
 * ```ts
 * const arm = directCalibration(cal, 4);        // direct signed 4-bit, same maxima as `cal`
 * const f = unsignedForward(model, cal);        // (x) => probabilities
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mix32, SeededRng, shuffledIndices } from '@lowbit/quant-core';
import { directStep, dqaFakeQuant, runLayers, type DqaCalibration, type DqaParams } from '@lowbit/dqa-activations';

/** Per-channel steps `max / divisor` (float32), with a dead channel given the layer's largest step (as calibrateDqa). */
function steps(maxAbs: number[], divisor: number): number[] {
  const layerMax = Math.max(...maxAbs);
  const fallback = layerMax > 0 ? Math.fround(layerMax / divisor) : 1;
  return maxAbs.map((m) => (m > 0 && Math.fround(m / divisor) > 0 ? Math.fround(m / divisor) : fallback));
}

/** Direct signed `bits`-bit quantization of the layers `cal` covers (no important channels). */
export function directCalibration(cal: DqaCalibration, bits: number): DqaCalibration {
  return {
    ...cal,
    bits,
    importantFraction: 0,
    layers: cal.layers.map((l) => {
      const fallback = Math.max(...l.maxAbs) > 0 ? directStep(Math.max(...l.maxAbs), bits) : 1;
      return { ...l, scales: l.maxAbs.map((m) => directStep(m, bits, fallback)), important: [] };
    }),
  };
}

/** `cal` with `count(layer)` important channels per layer drawn uniformly at random (seeded). */
export function randomCalibration(cal: DqaCalibration, seed: number): DqaCalibration {
  const rng = new SeededRng(mix32(seed));
  return {
    ...cal,
    layers: cal.layers.map((l) => {
      const order = shuffledIndices(l.channels, rng);
      return { ...l, important: Array.from(order.subarray(0, l.important.length)).sort((a, b) => a - b) };
    }),
  };
}

type Quantize = (a: tf.Tensor) => tf.Tensor;

/** A predictor running `model` layer by layer with `quantize[layerIndex]` applied after those layers. */
export function quantizedForward(model: tfl.LayersModel, quantize: Map<number, Quantize>): (x: tf.Tensor) => tf.Tensor {
  const layers = model.layers;
  return (x) => runLayers(layers, x, 0, layers.length, (i, a) => quantize.get(i)?.(a) ?? a);
}

/** Direct unsigned N-bit (N = cal.bits) after every calibrated layer. */
export function unsignedForward(model: tfl.LayersModel, cal: DqaCalibration): (x: tf.Tensor) => tf.Tensor {
  const divisor = 2 ** cal.bits - 1;
  const q = new Map<number, Quantize>();
  for (const l of cal.layers) {
    const params: DqaParams = { bits: cal.bits + 1, extraBits: 1, scales: steps(l.maxAbs, divisor), important: [] };
    q.set(l.layerIndex, (a) => dqaFakeQuant(a, params));
  }
  return quantizedForward(model, q);
}

/** NoisyQuant-style fixed per-channel noise around direct signed N-bit; also returns the noise drawn. */
export function noisyForward(
  model: tfl.LayersModel,
  cal: DqaCalibration,
  seed: number,
): { forward: (x: tf.Tensor) => tf.Tensor; dispose: () => void } {
  const direct = directCalibration(cal, cal.bits);
  const rng = new SeededRng(mix32(seed));
  const q = new Map<number, Quantize>();
  const noises: tf.Tensor[] = [];
  for (const l of direct.layers) {
    const u = rng.uniform(l.channels);
    const noise = tf.tensor1d(l.scales.map((s, c) => (u[c] - 0.5) * s));
    noises.push(noise);
    const params: DqaParams = { bits: direct.bits, extraBits: direct.extraBits, scales: l.scales, important: [] };
    q.set(l.layerIndex, (a) => tf.sub(dqaFakeQuant(tf.add(a, noise), params), noise));
  }
  return { forward: quantizedForward(model, q), dispose: () => tf.dispose(noises) };
}
