/**
 * The GA baseline on a model: {@link geneticSearch} whose fitness is the model's REAL loss on
 * calibration data with the candidate multipliers set on its AppMul layers (one forward pass per
 * distinct assignment), minus the loss with exact multipliers. The same objective and budget as
 * FAMES selection (`selectMultipliers` over counting-matrix estimates), so the two compare
 * directly. For an accuracy budget pass a `loss` that returns the error rate
 * (`1 - accuracy`) instead of the cross-entropy.
 *
 * ```ts
 * const layers = countingMatricesOf(model, x, loss).map((c) => ({ layer: c.layer,
 *   multipliers: appMulLibrary(c.counting), multiplications: c.multiplications }));
 * const ga = selectMultipliersGa(model, layers, x, loss, 0.02, { population: 20, generations: 15, seed: 1 });
 * ga.multipliers;            // one AppMul per layer (now set on the layers when apply: true)
 * ga.energy; ga.loss; ga.evaluations; ga.seconds;
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  LowbitConfigError,
  LowbitDataError,
  LowbitError,
  checkBoolean,
  checkFinite,
  checkFunction,
  checkObject,
  checkTensor,
} from '@lowbit/quant-core';
import { AppMul } from '../appmul.js';
import { isAppMulLayer, setMultiplier, type AppMulLayer } from '../layers/set-multiplier.js';
import { geneticSearch, type GeneticResult, type GeneticSettings } from './genetic-search.js';

export interface GaLayer {
  layer: AppMulLayer;
  /** Candidate multipliers for this layer (the options the GA chooses among). */
  multipliers: AppMul[];
  /** Multiplications per sample: option energy = multiplications x energyPj (as `layerChoices`). */
  multiplications: number;
}

export interface ModelGaSettings extends GeneticSettings {
  /** Leave the best assignment set on the layers (default true); false restores the previous multipliers. */
  apply?: boolean;
}

export interface ModelGaResult extends GeneticResult {
  /** The chosen multiplier per layer. */
  multipliers: AppMul[];
  /** Loss with exact multipliers (the reference of `loss`, which is a change). */
  exactLoss: number;
}

function checkLayers(model: tfl.LayersModel, layers: GaLayer[]): void {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers))
    throw new LowbitConfigError('model', model, 'expected a tfjs LayersModel (an object with `layers`)');
  if (!Array.isArray(layers) || layers.length === 0)
    throw new LowbitConfigError(
      'layers',
      layers,
      'expected one { layer, multipliers, multiplications } per AppMul layer',
    );
  layers.forEach((l, i) => {
    if (!isAppMulLayer(l?.layer)) {
      const name = (l?.layer as { name?: string } | undefined)?.name ?? l?.layer;
      throw new LowbitConfigError(
        `layers[${i}].layer`,
        name,
        'expected an AppMul layer (a quantized layer with a LowbitAppMulArithmetic)',
      );
    }
    if (!model.layers.includes(l.layer))
      throw new LowbitConfigError(`layers[${i}].layer`, l.layer.name, `not a layer of model ${model.name}`);
    if (!Array.isArray(l.multipliers) || l.multipliers.length === 0)
      throw new LowbitConfigError(`layers[${i}].multipliers`, l.multipliers, 'expected at least one candidate AppMul');
    l.multipliers.forEach((m, j) => {
      if (!(m instanceof AppMul))
        throw new LowbitConfigError(`layers[${i}].multipliers[${j}]`, m, 'expected an AppMul');
    });
    checkFinite(`layers[${i}].multiplications`, l.multiplications, { min: 0 });
  });
}

/**
 * A function measuring the loss change of an assignment (option index per layer) on `x`:
 * sets the multipliers, runs `model.apply(x)` and returns `loss - exactLoss`. Leaves the last
 * evaluated multipliers set.
 */
export function measuredLossChange(
  model: tfl.LayersModel,
  layers: GaLayer[],
  x: tf.Tensor,
  loss: (yPred: tf.Tensor) => tf.Scalar,
): { evaluate: (choice: readonly number[]) => number; exactLoss: number } {
  checkLayers(model, layers);
  checkTensor('x', x, { dtype: 'float32', minRank: 1, nonEmpty: true });
  checkFunction('loss', loss);
  const lossNow = () => {
    let value: number;
    try {
      value = tf.tidy(() => {
        const l = loss(model.apply(x, { training: false }) as tf.Tensor);
        if (!(l instanceof tf.Tensor) || l.size !== 1)
          throw new LowbitConfigError('loss', l, 'expected a function returning a scalar tensor');
        return l.dataSync()[0]!;
      });
    } catch (e) {
      if (e instanceof LowbitError) throw e;
      // tfjs's own shape errors (a ValueError): name the argument that did not fit.
      throw new LowbitConfigError('x', x.shape, `does not fit model ${model.name}: ${(e as Error).message}`);
    }
    if (!Number.isFinite(value))
      throw new LowbitDataError('measuredLossChange', `the loss on x is ${value}: check x and the loss function`);
    return value;
  };
  layers.forEach((l) => setMultiplier(l.layer, null));
  const exactLoss = lossNow();
  return {
    exactLoss,
    evaluate: (choice) => {
      layers.forEach((l, i) => setMultiplier(l.layer, l.multipliers[choice[i]]));
      return lossNow() - exactLoss;
    },
  };
}

/** GA search of one multiplier per layer under `measured loss change <= budget`; see the module docs. */
export function selectMultipliersGa(
  model: tfl.LayersModel,
  layers: GaLayer[],
  x: tf.Tensor,
  loss: (yPred: tf.Tensor) => tf.Scalar,
  budget: number,
  settings: ModelGaSettings = {},
): ModelGaResult {
  const start = performance.now();
  checkLayers(model, layers);
  checkFinite('budget', budget);
  checkObject('settings', settings, 'GA settings { population, generations, seed, ..., apply }');
  const { apply = true, ...gaSettings } = settings;
  checkBoolean('apply', apply);
  const saved = layers.map((l) => l.layer.arithmetic);
  let applied = false;
  try {
    const { evaluate, exactLoss } = measuredLossChange(model, layers, x, loss);
    // The all-exact assignment (or the first candidate) is a sensible feasible seed.
    const exactIndex = layers.map((l) =>
      Math.max(
        0,
        l.multipliers.findIndex((m) => m.isExact()),
      ),
    );
    const result = geneticSearch(
      {
        energies: layers.map((l) => l.multipliers.map((m) => l.multiplications * m.energyPj)),
        evaluate,
        budget,
        initial: [exactIndex],
      },
      gaSettings,
    );
    const multipliers = result.choice.map((j, l) => layers[l].multipliers[j]);
    if (apply) {
      layers.forEach((l, i) => setMultiplier(l.layer, multipliers[i]));
      applied = true;
    }
    return { ...result, multipliers, exactLoss, seconds: (performance.now() - start) / 1000 };
  } finally {
    if (!applied) layers.forEach((l, i) => l.layer.setArithmetic(saved[i]));
  }
}
