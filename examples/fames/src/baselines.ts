/**
 * The selections FAMES is compared with, all over the same per-layer candidate lists
 * (`LayerMultiplierChoices`, energies = multiplications x the designs' energy figures):
 *
 * - `cheapestUnderMae(choices, cap)`: every layer takes its lowest-energy design with MAE <= cap;
 * - `randomUnderEnergy(choices, maxEnergy, rng)`: a uniformly drawn feasible assignment whose
 *   energy is at most `maxEnergy` (layers visited in random order; each picks uniformly among the
 *   options that leave the rest feasible);
 * - `famesAtEnergy(choices, maxEnergy)`: FAMES's knapsack at the smallest loss budget whose
 *   selection costs at most `maxEnergy` (the least estimated loss at that energy);
 * - `gaUntil(choices, evaluate, ...)`: fames-appmul's `geneticSearch` on a measured loss change,
 *   stopped when it first finds a feasible assignment at most as expensive as a target (FAMES's),
 *   so its time to equal quality is measured.
 *
 * ```ts
 * const naive = cheapestUnderMae(choices, 0.5);           // option index per layer
 * const fames = famesAtEnergy(choices, energyOf(choices, naive));
 * const random = randomUnderEnergy(choices, energyOf(choices, fames), new SeededRng(7));
 * ```
 */
import { SeededRng, shuffledIndices } from '@lowbit/quant-core';
import { geneticSearch, selectMultipliers, type LayerMultiplierChoices } from '@lowbit/fames-appmul';

export const energyOf = (choices: LayerMultiplierChoices[], choice: readonly number[]) =>
  choice.reduce((s, j, l) => s + choices[l].options[j].energy, 0);

export const estimatedLossOf = (choices: LayerMultiplierChoices[], choice: readonly number[]) =>
  choice.reduce((s, j, l) => s + choices[l].options[j].loss, 0);

/** Per layer the cheapest design with MAE <= `capPercent` (exact when none is). Ties: the smaller MAE. */
export function cheapestUnderMae(choices: LayerMultiplierChoices[], capPercent: number): number[] {
  return choices.map((c) => {
    let best = c.multipliers.findIndex((m) => m.isExact());
    c.multipliers.forEach((m, j) => {
      const mae = m.metrics().maePercent;
      if (m.isExact() || mae > capPercent) return;
      const e = c.options[j].energy;
      const b = c.options[best].energy;
      if (e < b || (e === b && mae < c.multipliers[best].metrics().maePercent)) best = j;
    });
    return best;
  });
}

/** A random assignment with energy <= maxEnergy (see the module comment); null when none exists. */
export function randomUnderEnergy(
  choices: LayerMultiplierChoices[],
  maxEnergy: number,
  rng: SeededRng,
): number[] | null {
  const minEnergy = choices.map((c) => Math.min(...c.options.map((o) => o.energy)));
  if (minEnergy.reduce((a, b) => a + b, 0) > maxEnergy * (1 + 1e-12)) return null;
  const choice = new Array<number>(choices.length).fill(-1);
  let spent = 0;
  const order = shuffledIndices(choices.length, rng);
  for (let k = 0; k < order.length; k++) {
    const l = order[k];
    let restMin = 0;
    for (let r = k + 1; r < order.length; r++) restMin += minEnergy[order[r]];
    const allowed = choices[l].options
      .map((o, j) => ({ o, j }))
      .filter(({ o }) => spent + o.energy + restMin <= maxEnergy * (1 + 1e-12));
    const pick = allowed[Math.min(allowed.length - 1, Math.floor(rng.uniform(1)[0] * allowed.length))];
    choice[l] = pick.j;
    spent += pick.o.energy;
  }
  return choice;
}

/** FAMES at an energy budget: bisection on the loss budget for the least-loss selection within `maxEnergy`. */
export function famesAtEnergy(
  choices: LayerMultiplierChoices[],
  maxEnergy: number,
): { choice: number[]; lossBudget: number } {
  let hi = choices.reduce((s, c) => s + Math.max(...c.options.map((o) => o.loss)), 0);
  let best = selectMultipliers(choices, hi);
  if (best.energy > maxEnergy * (1 + 1e-12)) return { choice: best.choice, lossBudget: hi };
  let lo = 0;
  const atZero = selectMultipliers(choices, 0);
  if (atZero.energy <= maxEnergy * (1 + 1e-12)) return { choice: atZero.choice, lossBudget: 0 };
  for (let i = 0; i < 40 && hi - lo > 1e-7; i++) {
    const mid = (lo + hi) / 2;
    const s = selectMultipliers(choices, mid);
    if (s.energy <= maxEnergy * (1 + 1e-12)) {
      hi = mid;
      best = s;
    } else lo = mid;
  }
  return { choice: best.choice, lossBudget: hi };
}

export interface GaRun {
  /** Distinct assignments evaluated until the target was met (or in all, when it was not). */
  evaluations: number;
  seconds: number;
  reached: boolean;
  /** Best feasible assignment seen (option indices), its energy and measured loss change. */
  bestChoice: number[] | null;
  bestEnergy: number | null;
  bestLoss: number | null;
}

class TargetReached extends Error {}

/**
 * The GA baseline (`geneticSearch`, fitness = `evaluate(choice)`, the measured loss change),
 * stopped at the first feasible assignment (loss <= budget) whose energy is <= `targetEnergy`.
 */
export function gaUntil(
  choices: LayerMultiplierChoices[],
  evaluate: (choice: readonly number[]) => number,
  budget: number,
  targetEnergy: number,
  settings: { population: number; generations: number; seed: number },
): GaRun {
  const start = performance.now();
  let evaluations = 0;
  let bestChoice: number[] | null = null;
  let bestEnergy: number | null = null;
  let bestLoss: number | null = null;
  let reached = false;
  const exactIndex = choices.map((c) => c.multipliers.findIndex((m) => m.isExact()));
  try {
    geneticSearch(
      {
        energies: choices.map((c) => c.options.map((o) => o.energy)),
        budget,
        initial: [exactIndex],
        evaluate: (choice) => {
          evaluations++;
          const measured = evaluate(choice);
          const energy = energyOf(choices, choice);
          if (measured <= budget && (bestEnergy === null || energy < bestEnergy)) {
            bestChoice = [...choice];
            bestEnergy = energy;
            bestLoss = measured;
          }
          if (measured <= budget && energy <= targetEnergy * (1 + 1e-12)) {
            reached = true;
            throw new TargetReached();
          }
          return measured;
        },
      },
      settings,
    );
  } catch (e) {
    if (!(e instanceof TargetReached)) throw e;
  }
  return { evaluations, seconds: (performance.now() - start) / 1000, reached, bestChoice, bestEnergy, bestLoss };
}
