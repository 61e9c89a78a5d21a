/**
 * Offline DQA calibration of a trained Sequential model: per-channel scales from the activations
 * of calibration data, and a ranking of the channels of every quantized layer by importance.
 *
 * Rankings (each layer in turn; every other quantized layer at direct N bits):
 * - `'leave-one-out'` (the paper's): for each channel c, leave c unquantized (float) and measure
 *   how much of the calibration loss (or accuracy, `metric`) returns. One forward pass of the rest
 *   of the network per channel: exact but the slowest.
 * - `'taylor'` (cheaper proxy): the first-order estimate of the same quantity,
 *   `-sum(dL/dQ_c * (A_c - Q_c))`: one backward pass per layer instead of one forward per channel.
 * - `'error-energy'` (cheapest, label-free proxy): `sum((A_c - Q_c)^2)`, the quantization-error energy.
 *
 * The `importantFraction` r of each layer's channels with the highest scores (ties: lower index)
 * become important. `rankAgreement` measures how well a proxy agrees with leave-one-out.
 *
 * ```ts
 * const cal = calibrateDqa(model, { x, y }, { bits: 3, importantFraction: 0.5, ranking: 'taylor' });
 * cal.layers[0].important; // channel indices
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  ChannelMaxAbs,
  LowbitConfigError,
  checkFinite,
  checkInteger,
  checkKnownKeys,
  checkNumbers,
  checkOneOf,
  straightThrough,
} from '@lowbit/quant-core';
import { checkLayers } from './check-layers.js';
import { directStep } from './direct-quant.js';
import { isDqaLayer } from './dqa-activation.js';
import {
  checkDqaParams,
  MAX_BITS,
  MAX_EXTRA_BITS,
  MIN_BITS,
  MIN_EXTRA_BITS,
  type CheckedDqaParams,
} from './dqa-params.js';
import { dqaFakeQuant } from './dqa-quantize.js';
import { crossEntropy, layerChain, runLayers, scoreOutputs } from './layer-chain.js';

export type ChannelRanking = 'leave-one-out' | 'taylor' | 'error-energy';
export const CHANNEL_RANKINGS: readonly ChannelRanking[] = ['leave-one-out', 'taylor', 'error-energy'];
export type RankingMetric = 'loss' | 'accuracy';

export interface CalibrationData {
  /** Calibration inputs (batch first). */
  x: tf.Tensor;
  /** Labels: one-hot or class indices. Needed by 'leave-one-out' and 'taylor'. */
  y?: tf.Tensor;
}

export interface CalibrateDqaOptions {
  /** N, 2..8. */
  bits: number;
  /** m, 1..8 (default 3). */
  extraBits?: number;
  /** r in [0, 1] (default 0.5): fraction of each layer's channels kept at N + m bits. */
  importantFraction?: number;
  /** Default 'leave-one-out'. */
  ranking?: ChannelRanking;
  /** What leave-one-out measures (default 'loss'; accuracy ties often on small sets). */
  metric?: RankingMetric;
  /** Names of the layers whose outputs are quantized; default every hidden layer ending in a non-linear activation. */
  layers?: string[];
  /** Samples per forward pass (default 128). */
  batchSize?: number;
}

export interface DqaLayerCalibration {
  layerName: string;
  layerIndex: number;
  channels: number;
  /** max |A| per channel on the calibration data (float model). */
  maxAbs: number[];
  /** delta_N per channel. */
  scales: number[];
  /** Importance score per channel (higher: more important). */
  scores: number[];
  /** The chosen important channels, ascending. */
  important: number[];
}

export interface DqaCalibration {
  bits: number;
  extraBits: number;
  importantFraction: number;
  ranking: ChannelRanking;
  metric: RankingMetric;
  layers: DqaLayerCalibration[];
}

export const CALIBRATE_OPTION_KEYS = [
  'bits',
  'extraBits',
  'importantFraction',
  'ranking',
  'metric',
  'layers',
  'batchSize',
] as const;

const NONLINEAR_CLASSES = ['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'PReLU', 'ThresholdedReLU'];

/**
 * Hidden layers ending in a non-linear activation (not the output layer): tfjs activations, layers
 * with a non-linear `activation`, and lowbit activation layers that quantize their output (a
 * clipping quantizer such as WRPN's is a non-linear activation). Layers that already quantize
 * with DQA are left out.
 */
export function defaultDqaLayers(layers: tfl.layers.Layer[]): string[] {
  return checkLayers('layers', layers)
    .slice(0, -1)
    .filter((l) => {
      if (isDqaLayer(l)) return false;
      const act = (l.getConfig() as { activation?: unknown }).activation;
      if (NONLINEAR_CLASSES.includes(l.getClassName())) return act !== 'linear' && act !== 'softmax';
      if (isQuantizedActivation(l)) return true;
      return typeof act === 'string' && act !== 'linear' && act !== 'softmax';
    })
    .map((l) => l.name);
}

/** A lowbit activation layer (`quantActivation`) with an output quantizer. */
function isQuantizedActivation(layer: tfl.layers.Layer): boolean {
  const l = layer as { lowbitOperation?: () => string; outputQuantizer?: unknown };
  return typeof l.lowbitOperation === 'function' && l.lowbitOperation() === 'activation' && l.outputQuantizer != null;
}

interface Checked {
  bits: number;
  extraBits: number;
  importantFraction: number;
  ranking: ChannelRanking;
  metric: RankingMetric;
  batchSize: number;
}

/** Validates the options shared by {@link calibrateDqa} and `applyDqa`. */
export function checkCalibrateOptions(options: CalibrateDqaOptions, extraKeys: readonly string[] = []): Checked {
  if (options === null || typeof options !== 'object')
    throw new LowbitConfigError('options', options, 'expected { bits, ... }');
  if (!Array.isArray(extraKeys) || !extraKeys.every((k) => typeof k === 'string')) {
    throw new LowbitConfigError('extraKeys', extraKeys, 'expected an array of option names');
  }
  checkKnownKeys('options', options, [...CALIBRATE_OPTION_KEYS, ...extraKeys]);
  return {
    bits: checkInteger('options.bits', options.bits, MIN_BITS, MAX_BITS),
    extraBits: checkInteger('options.extraBits', options.extraBits ?? 3, MIN_EXTRA_BITS, MAX_EXTRA_BITS),
    importantFraction: checkFinite('options.importantFraction', options.importantFraction ?? 0.5, { min: 0, max: 1 }),
    ranking: checkOneOf('options.ranking', options.ranking ?? 'leave-one-out', CHANNEL_RANKINGS),
    metric: checkOneOf('options.metric', options.metric ?? 'loss', ['loss', 'accuracy'] as const),
    batchSize: checkInteger('options.batchSize', options.batchSize ?? 128, 1, 1 << 20),
  };
}

function checkData(data: CalibrationData, needLabels: boolean): void {
  if (data === null || typeof data !== 'object' || !(data.x instanceof tf.Tensor)) {
    throw new LowbitConfigError('calibrationData', data, 'expected { x: tf.Tensor, y?: tf.Tensor }');
  }
  checkKnownKeys('calibrationData', data, ['x', 'y']);
  if (data.x.rank < 2 || data.x.shape[0] < 1) {
    throw new LowbitConfigError(
      'calibrationData.x',
      data.x,
      'expected a batch-first tensor of rank >= 2 with at least one sample',
    );
  }
  if (needLabels || data.y !== undefined) {
    if (!(data.y instanceof tf.Tensor))
      throw new LowbitConfigError('calibrationData.y', data.y, 'labels are needed by this ranking');
    if ((data.y.rank !== 1 && data.y.rank !== 2) || data.y.shape[0] !== data.x.shape[0]) {
      throw new LowbitConfigError(
        'calibrationData.y',
        data.y,
        `expected class indices [${data.x.shape[0]}] or one-hot [${data.x.shape[0]}, classes]`,
      );
    }
  }
}

function chunks(n: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(size, n - s)]);
  return out;
}

/** Top `count` channels by score (ties: lower index), ascending. */
export function topChannels(scores: ArrayLike<number>, count: number): number[] {
  checkNumbers('scores', scores);
  checkInteger('count', count, 0, scores.length);
  const order = Array.from({ length: scores.length }, (_, c) => c).sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}

/** Scales and channel ranking of every quantized layer; the model is not modified. */
export function calibrateDqa(
  model: tfl.LayersModel,
  calibrationData: CalibrationData,
  options: CalibrateDqaOptions,
): DqaCalibration {
  const opts = checkCalibrateOptions(options);
  const chain = layerChain(model);
  const { layers } = chain;
  checkData(calibrationData, opts.ranking !== 'error-energy');
  const names = options.layers ?? defaultDqaLayers(layers);
  if (!Array.isArray(names)) throw new LowbitConfigError('options.layers', names, 'expected an array of layer names');
  const targets = names.map((name, i) => {
    const index = layers.findIndex((l) => l.name === name);
    if (index < 0)
      throw new LowbitConfigError(
        `options.layers[${i}]`,
        name,
        `unknown layer; layers: ${layers.map((l) => l.name).join(', ')}`,
      );
    const shape = layers[index].outputShape as number[];
    const channels = shape[shape.length - 1];
    if (!Number.isInteger(channels) || shape.length < 2)
      throw new LowbitConfigError(`options.layers[${i}]`, name, 'its output has no channel axis');
    return { name, index, channels };
  });
  targets.sort((a, b) => a.index - b.index);
  if (new Set(targets.map((t) => t.index)).size !== targets.length)
    throw new LowbitConfigError('options.layers', names, 'expected unique layer names');

  const { x, y } = calibrationData;
  const n = x.shape[0];
  const parts = chunks(n, opts.batchSize);
  const slice = (t: tf.Tensor, [start, size]: [number, number]) => tf.slice(t, start, size);

  // A. Per-channel max |A| of the float model.
  const accs = new Map(targets.map((t) => [t.index, new ChannelMaxAbs(t.channels)]));
  for (const part of parts) {
    tf.tidy(() => {
      runLayers(layers, slice(x, part), 0, layers.length, (i, a) => (accs.get(i)?.update(a), a));
    });
  }
  const direct = new Map<number, CheckedDqaParams>();
  const maxAbs = new Map<number, Float64Array>();
  for (const t of targets) {
    const m = accs.get(t.index)!.result();
    maxAbs.set(t.index, m);
    const fallback = Math.max(...m) > 0 ? directStep(Math.max(...m), opts.bits) : 1;
    const scales = Array.from(m, (v) => directStep(v, opts.bits, fallback));
    direct.set(t.index, checkDqaParams({ bits: opts.bits, extraBits: opts.extraBits, scales, important: [] }));
  }
  const quantizeAfter = (skip: number) => (i: number, a: tf.Tensor) => {
    const p = i === skip ? undefined : direct.get(i);
    return p ? straightThrough(a, (t) => dqaFakeQuant(t, p)) : a;
  };

  // B. Channel scores, one layer at a time.
  const result: DqaLayerCalibration[] = [];
  for (const t of targets) {
    const p = direct.get(t.index)!;
    const C = t.channels;
    const scores = new Float64Array(C);
    let baseLoss = 0;
    let baseCorrect = 0;
    const looLoss = new Float64Array(C);
    const looCorrect = new Float64Array(C);
    for (const part of parts) {
      tf.tidy(() => {
        const xs = slice(x, part);
        const ys = y ? slice(y, part) : undefined;
        const a = runLayers(layers, xs, 0, t.index + 1, quantizeAfter(t.index));
        const q = dqaFakeQuant(a, p);
        const err = tf.sub(a, q);
        const reduceAxes = Array.from({ length: a.rank - 1 }, (_, k) => k);
        const suffix = (input: tf.Tensor) => runLayers(layers, input, t.index + 1, layers.length, quantizeAfter(-1));
        if (opts.ranking === 'error-energy') {
          addInto(scores, tf.sum(tf.square(err), reduceAxes));
        } else if (opts.ranking === 'taylor') {
          const g = tf.grad((input: tf.Tensor) =>
            tf.mul(crossEntropy(suffix(input), ys!, chain.outputsProbabilities), part[1]),
          )(q);
          addInto(scores, tf.neg(tf.sum(tf.mul(g, err), reduceAxes)));
        } else {
          const base = scoreOutputs(suffix(q), ys!, chain.outputsProbabilities);
          baseLoss += base.lossSum;
          baseCorrect += base.correct;
          for (let c = 0; c < C; c++) {
            tf.tidy(() => {
              const mask = tf.oneHot(tf.scalar(c, 'int32'), C);
              const s = scoreOutputs(suffix(tf.add(q, tf.mul(err, mask))), ys!, chain.outputsProbabilities);
              looLoss[c] += s.lossSum;
              looCorrect[c] += s.correct;
            });
          }
        }
      });
    }
    if (opts.ranking === 'taylor') {
      for (let c = 0; c < C; c++) scores[c] /= n; // per sample, as leave-one-out's mean loss
    } else if (opts.ranking === 'leave-one-out') {
      for (let c = 0; c < C; c++)
        scores[c] = opts.metric === 'loss' ? (baseLoss - looLoss[c]) / n : (looCorrect[c] - baseCorrect) / n;
    }
    const count = Math.round(opts.importantFraction * C);
    result.push({
      layerName: t.name,
      layerIndex: t.index,
      channels: C,
      maxAbs: Array.from(maxAbs.get(t.index)!),
      scales: Array.from(p.scales),
      scores: Array.from(scores),
      important: topChannels(scores, count),
    });
  }
  const { bits, extraBits, importantFraction, ranking, metric } = opts;
  return { bits, extraBits, importantFraction, ranking, metric, layers: result };
}

function addInto(target: Float64Array, values: tf.Tensor): void {
  const v = values.dataSync();
  for (let i = 0; i < target.length; i++) target[i] += v[i];
}
