/**
 * Per-layer multiplier selection (FAMES, arXiv 2411.18055): choose one option per layer minimising total
 * energy subject to `sum of estimated loss increases <= budget`, a multiple-choice knapsack.
 *
 * Solved by dynamic programming over a discretised loss budget (pseudo-polynomial:
 * `layers x options x steps`, milliseconds for tens of layers and options). Each layer's losses
 * are first shifted by that layer's smallest loss (so estimates may be negative), then rounded UP
 * to multiples of `lossUnit` (default: the remaining budget / 1000). Guarantees, both tested
 * against exhaustive search:
 * - the returned assignment meets the budget with its true (unrounded) losses;
 * - its energy is at most the optimum for the tighter budget `budget - layers * lossUnit`;
 * - with losses that are exact multiples of `lossUnit` it is the exact optimum.
 * No ILP solver: HiGHS (npm `highs`, WebAssembly) would be exact without discretisation, but
 * adds a multi-megabyte wasm dependency and an async start for a problem this DP solves exactly
 * at any chosen resolution.
 *
 * ```ts
 * const result = selectMultipliers([
 *   { options: [{ energy: 10, loss: 0 }, { energy: 6, loss: 0.02 }, { energy: 3, loss: 0.1 }] },
 *   { options: [{ energy: 8, loss: 0 }, { energy: 5, loss: 0.05 }] },
 * ], 0.07, { lossUnit: 0.01 });
 * result.choice; // [1, 1]: energy 11, loss 0.07
 * ```
 */
import { LowbitConfigError, checkFinite, checkInteger, checkKnownKeys } from '@lowbit/quant-core';

export interface SelectionOption {
  /** Cost to minimise (e.g. multiplier energy of the layer: MACs x pJ per multiplication). */
  energy: number;
  /** Estimated loss increase of this option (may be negative). */
  loss: number;
}

export interface LayerChoices {
  name?: string;
  options: SelectionOption[];
}

export interface SelectionResult {
  /** Index of the chosen option per layer. */
  choice: number[];
  energy: number;
  loss: number;
  /** False when even the lowest-loss option of every layer exceeds the budget (then `choice` is that). */
  feasible: boolean;
}

export interface SelectionSettings {
  /** Discretisation step of the loss budget; default (budget - sum of per-layer minimum losses) / 1000. */
  lossUnit?: number;
  /** Cap on budget steps (memory / time guard). Default 100000. */
  maxSteps?: number;
}

function checkLayers(layers: LayerChoices[]): void {
  if (!Array.isArray(layers) || layers.length === 0)
    throw new LowbitConfigError('layers', layers, 'expected a non-empty array of { options }');
  layers.forEach((l, i) => {
    if (!Array.isArray(l?.options) || l.options.length === 0)
      throw new LowbitConfigError(`layers[${i}].options`, l?.options, 'expected a non-empty array of { energy, loss }');
    l.options.forEach((o, j) => {
      checkFinite(`layers[${i}].options[${j}].energy`, o?.energy);
      checkFinite(`layers[${i}].options[${j}].loss`, o?.loss);
    });
  });
}

function total(layers: LayerChoices[], choice: number[]) {
  let energy = 0;
  let loss = 0;
  choice.forEach((c, l) => {
    energy += layers[l].options[c].energy;
    loss += layers[l].options[c].loss;
  });
  return { energy, loss };
}

/** Multiple-choice knapsack by dynamic programming over the discretised budget. */
export function selectMultipliers(
  layers: LayerChoices[],
  budget: number,
  settings: SelectionSettings = {},
): SelectionResult {
  checkLayers(layers);
  checkFinite('budget', budget);
  checkKnownKeys('settings', settings, ['lossUnit', 'maxSteps']);
  // The DP allocates two arrays of maxSteps + 1 entries per layer: bounded before anything is allocated.
  const maxSteps = checkInteger('maxSteps', settings.maxSteps ?? 100_000, 1, 10_000_000);
  const minLoss = layers.map((l) => Math.min(...l.options.map((o) => o.loss)));
  const slack = budget - minLoss.reduce((a, b) => a + b, 0);
  if (slack < 0) {
    const choice = layers.map((l, i) => l.options.findIndex((o) => o.loss === minLoss[i]));
    return { choice, ...total(layers, choice), feasible: false };
  }
  const unit = settings.lossUnit ?? (slack > 0 ? slack / 1000 : 1);
  checkFinite('lossUnit', unit, { min: 0, exclusiveMin: true });
  if (!Number.isFinite(slack / unit))
    throw new LowbitConfigError('lossUnit', unit, `is too small for the loss slack ${slack}`);
  const steps = Math.floor(slack / unit + 1e-9);
  if (steps > maxSteps)
    throw new LowbitConfigError(
      'lossUnit',
      unit,
      `gives ${steps} budget steps, more than maxSteps = ${maxSteps}; use a larger unit`,
    );
  const S = steps + 1;
  // best[c]: least energy of the layers so far with discretised loss exactly c.
  let best = new Float64Array(S).fill(Infinity);
  best[0] = 0;
  const back: Int32Array[] = [];
  layers.forEach((layer, l) => {
    const next = new Float64Array(S).fill(Infinity);
    const pick = new Int32Array(S).fill(-1);
    layer.options.forEach((o, j) => {
      const cost = Math.ceil((o.loss - minLoss[l]) / unit);
      if (cost >= S) return;
      for (let c = 0; c + cost < S; c++) {
        const e = best[c] + o.energy;
        if (e < next[c + cost]) {
          next[c + cost] = e;
          pick[c + cost] = j;
        }
      }
    });
    back.push(pick);
    best = next;
  });
  let end = 0;
  for (let c = 1; c < S; c++) if (best[c] < best[end]) end = c;
  const choice = new Array<number>(layers.length);
  for (let l = layers.length - 1; l >= 0; l--) {
    const j = back[l][end];
    choice[l] = j;
    end -= Math.ceil((layers[l].options[j].loss - minLoss[l]) / unit);
  }
  const t = total(layers, choice);
  return { choice, ...t, feasible: true };
}

/** Exhaustive search (every combination): the reference for tests and tiny problems. */
export function selectExhaustive(layers: LayerChoices[], budget: number, maxCombinations = 1_000_000): SelectionResult {
  checkLayers(layers);
  checkFinite('budget', budget);
  checkInteger('maxCombinations', maxCombinations, 1, 2 ** 31);
  const count = layers.reduce((n, l) => n * l.options.length, 1);
  if (count > maxCombinations)
    throw new LowbitConfigError('layers', `${count} combinations`, `at most ${maxCombinations} for exhaustive search`);
  let bestChoice: number[] | null = null;
  let bestEnergy = Infinity;
  const choice = new Array<number>(layers.length).fill(0);
  for (let i = 0; i < count; i++) {
    let rest = i;
    for (let l = 0; l < layers.length; l++) {
      choice[l] = rest % layers[l].options.length;
      rest = Math.floor(rest / layers[l].options.length);
    }
    const t = total(layers, choice);
    if (t.loss <= budget && t.energy < bestEnergy) {
      bestEnergy = t.energy;
      bestChoice = [...choice];
    }
  }
  if (!bestChoice) {
    const fallback = layers.map((l) => l.options.reduce((bi, o, j, arr) => (o.loss < arr[bi].loss ? j : bi), 0));
    return { choice: fallback, ...total(layers, fallback), feasible: false };
  }
  return { choice: bestChoice, ...total(layers, bestChoice), feasible: true };
}
