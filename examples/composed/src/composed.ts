/**
 * Four lowbit techniques in one model, each a part of the generic layers:
 *
 * - **WRPN**: a 2x-wide LeNet with 4-bit WRPN weights and activations (first and last layer
 *   8-bit), `buildWrpnLenet` from @lowbit/wrpn-layers;
 * - **log-domain**: conv2 reads its input as 4-bit log codes (quant-core's `LowbitLogQuantizer`
 *   as its `inputQuantizer`): every product of conv2 is a 4-bit WRPN weight shifted by an
 *   exponent, which hw-model costs as a shifter;
 * - **FAMES**: fc1 multiplies its 4-bit codes through an approximate multiplier (`arithmetic`:
 *   `LowbitAppMulArithmetic`), chosen by FAMES's counting-matrix estimate after training;
 * - **DQA**: the hidden activations are re-quantized post-training with DQA (`applyDqa`: a
 *   `quantActivation` with the DQA quantizer after each WRPN activation).
 *
 * ```ts
 * const model = composedNet({ conv1: 16, conv2: 32, fc: 256 });
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
 * await model.fit(x, y, { epochs: 2, batchSize: 64 });
 * const fames = selectFc1Multiplier(model, calibX, calibY, { budget: 0.02 });
 * const final = await applyComposedDqa(model, calibX, calibLabels);
 * integerExportCheck(final, xTest);   // per layer: integerForward vs forward
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { applyDqa } from '@lowbit/dqa-activations';
import {
  appMulLibrary,
  countingMatricesOf,
  layerChoices,
  selectMultipliers,
  setMultiplier,
} from '@lowbit/fames-appmul';
import { isLowbitLayer, type LowbitQuantLayer } from '@lowbit/quant-core';
import { buildWrpnLenet, wrpnPolicy } from '@lowbit/wrpn-layers';

export interface ComposedOptions {
  conv1: number;
  conv2: number;
  fc: number;
  /** WRPN width factor (default 2). */
  width?: number;
  /** Bits of the inner layers' weights and activations (default 4). */
  bits?: number;
  seed?: number;
}

/** The log-coded input of conv2: unsigned 4-bit powers of two, full scale 2^0 (WRPN activations are in [0, 1]). */
export const CONV2_LOG_INPUT = { className: 'LowbitLogQuantizer', config: { bits: 4, signed: false, fsr: 0 } } as const;

/** fc1's arithmetic before selection: the AppMul arithmetic with the exact multiplier of its widths. */
export const FC1_APPMUL = { className: 'LowbitAppMulArithmetic', config: { multiplier: null } } as const;

/** The composed net (untrained): WRPN 2x w4a4, conv2 with log-coded input, fc1 through an AppMul arithmetic. */
export function composedNet(o: ComposedOptions): tfl.Sequential {
  const bits = o.bits ?? 4;
  const model = buildWrpnLenet({
    conv1: o.conv1,
    conv2: o.conv2,
    fc: o.fc,
    width: o.width ?? 2,
    seed: o.seed ?? 1,
    policy: wrpnPolicy({ weightBits: bits, inputBits: bits }),
    parts: ({ name }) =>
      name === 'conv2' ? { inputQuantizer: CONV2_LOG_INPUT } : name === 'fc1' ? { arithmetic: FC1_APPMUL } : {},
  });
  return model;
}

export interface Fc1Selection {
  multiplier: string;
  /** The estimated loss change of the chosen design (first + second order). */
  estimatedLossChange: number;
  candidates: number;
  seconds: number;
}

/**
 * FAMES for fc1: counting matrices on calibration data, the library of designs for fc1's operand
 * widths (admitted by MAE <= `maxMaePercent`), the cheapest set within `budget` of estimated loss
 * change; installs the chosen multiplier in fc1.
 */
export function selectFc1Multiplier(
  model: tfl.LayersModel,
  x: tf.Tensor,
  yOneHot: tf.Tensor,
  options: { budget: number; maxMaePercent?: number },
): Fc1Selection {
  const t0 = performance.now();
  const counting = countingMatricesOf(
    model,
    x,
    (yPred) => tf.losses.softmaxCrossEntropy(yOneHot, tf.log(tf.add(yPred, 1e-7))) as tf.Scalar,
  );
  const fc1 = counting.find((c) => c.layer.name === 'fc1');
  if (!fc1) throw new Error('composed net: fc1 has no AppMul arithmetic');
  const choices = [
    layerChoices('fc1', fc1.counting, appMulLibrary({ a: fc1.counting.a, w: fc1.counting.w }), fc1.multiplications, {
      maxMaePercent: options.maxMaePercent ?? 0.25,
    }),
  ];
  const selection = selectMultipliers(choices, options.budget);
  const chosen = choices[0]!.multipliers[selection.choice[0]!]!;
  setMultiplier(fc1.layer, chosen);
  return {
    multiplier: chosen.name,
    estimatedLossChange: selection.loss,
    candidates: choices[0]!.multipliers.length,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * DQA (post-training, 4-bit with 3 extra bits on the 50% most important channels) on every hidden
 * activation; channels ranked by leave-one-out (the paper's) unless `ranking` says otherwise.
 */
export async function applyComposedDqa(
  model: tfl.LayersModel,
  x: tf.Tensor,
  labels: tf.Tensor,
  ranking: 'leave-one-out' | 'error-energy' = 'leave-one-out',
): Promise<tfl.LayersModel> {
  return applyDqa(model, { x, y: labels }, { bits: 4, extraBits: 3, importantFraction: 0.5, ranking });
}

export interface IntegerExportRow {
  layer: string;
  /** Largest |integerForward - forward| relative to max |forward|. */
  maxRelativeDiff: number;
  bitExact: boolean;
}

/**
 * For every quantized weight layer with an input quantizer: the layer's output on its real input
 * (the model cut just before it) against `integerForward` from the exported integer codes.
 */
export function integerExportCheck(model: tfl.LayersModel, x: tf.Tensor): IntegerExportRow[] {
  const rows: IntegerExportRow[] = [];
  model.layers.forEach((layer, i) => {
    if (!isLowbitLayer(layer) || layer.lowbitOperation() === 'activation') return;
    const q = layer as unknown as LowbitQuantLayer;
    if (q.inputQuantizer === null || q.kernelQuantizer === null) return;
    tf.tidy(() => {
      const input =
        i === 0
          ? x
          : (tfl
              .model({ inputs: model.inputs, outputs: model.layers[i - 1]!.output as tfl.SymbolicTensor })
              .predict(x) as tf.Tensor);
      const forward = (layer.apply(input) as tf.Tensor).dataSync();
      const integer = q.integerForward(input).dataSync();
      let maxDiff = 0;
      let maxAbs = 1e-12;
      for (let k = 0; k < forward.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(forward[k]! - integer[k]!));
        maxAbs = Math.max(maxAbs, Math.abs(forward[k]!));
      }
      rows.push({ layer: layer.name, maxRelativeDiff: maxDiff / maxAbs, bitExact: maxDiff === 0 });
    });
  });
  return rows;
}

/** Layers and the techniques' parts they carry, for the report. */
export function describeParts(model: tfl.LayersModel): { layer: string; className: string; parts: string }[] {
  return model.layers.filter(isLowbitLayer).map((layer) => {
    const c = layer.getConfig() as Record<string, { className?: string; config?: Record<string, unknown> } | null>;
    const parts = ['kernelQuantizer', 'inputQuantizer', 'outputQuantizer', 'arithmetic']
      .filter((k) => c[k] && c[k]!.className !== 'LowbitExactArithmetic')
      .map(
        (k) =>
          `${k}: ${c[k]!.className!.replace(/^Lowbit/, '')}${c[k]!.config?.multiplier ? ` (${String(c[k]!.config!.multiplier)})` : ''}`,
      );
    return { layer: layer.name, className: layer.getClassName(), parts: parts.join(', ') };
  });
}
