import { describe, expect, it } from 'vitest';
import { LowbitConfigError, SeededRng } from '@lowbit/quant-core';
import { selectExhaustive } from '../selection.js';
import { geneticSearch } from './genetic-search.js';

/** A random problem: `layers` layers of `options` options, additive losses (so exhaustive search gives the optimum). */
function randomProblem(seed: number, layers: number, options: number) {
  const rng = new SeededRng(seed);
  const energies: number[][] = [];
  const losses: number[][] = [];
  for (let l = 0; l < layers; l++) {
    const u = Array.from(rng.uniform(2 * options));
    // Option 0 is "exact": most energy, no loss; others trade energy for loss.
    energies.push([10, ...u.slice(0, options - 1).map((v) => Math.round(10 * v * 100) / 100)]);
    losses.push([0, ...u.slice(options, 2 * options - 1).map((v, j) => Math.round((1 - u[j]) * v * 100) / 1000)]);
  }
  return { energies, losses };
}

describe('geneticSearch', () => {
  it('finds the exhaustive optimum of small additive problems with enough generations', () => {
    for (const seed of [1, 2, 3]) {
      const { energies, losses } = randomProblem(seed, 4, 6);
      const budget = 0.08;
      let calls = 0;
      const evaluate = (c: readonly number[]) => {
        calls++;
        return c.reduce((s, j, l) => s + losses[l][j], 0);
      };
      const ga = geneticSearch({ energies, evaluate, budget }, { population: 30, generations: 60, seed });
      const ref = selectExhaustive(
        energies.map((e, l) => ({ options: e.map((energy, j) => ({ energy, loss: losses[l][j] })) })),
        budget,
      );
      expect(ref.feasible).toBe(true);
      expect(ga.feasible).toBe(true);
      expect(ga.loss).toBeLessThanOrEqual(budget);
      expect(ga.energy).toBeCloseTo(ref.energy, 9);
      expect(ga.evaluations).toBe(calls); // memoised: one call per distinct assignment
      expect(ga.evaluations).toBeLessThan(6 ** 4);
      expect(ga.history).toHaveLength(61);
      const best = ga.history.map((e) => e ?? Infinity); // null: no feasible individual yet
      for (let g = 1; g < best.length; g++) expect(best[g]).toBeLessThanOrEqual(best[g - 1]!);
    }
  });

  it('handles non-additive losses: stays feasible and within 10% of the exhaustive optimum', () => {
    const { energies, losses } = randomProblem(9, 5, 5);
    // Interaction: errors in consecutive layers compound.
    const lossOf = (c: readonly number[]) =>
      c.reduce((s, j, l) => s + losses[l][j] * (1 + (l > 0 ? 5 * losses[l - 1][c[l - 1]] : 0)), 0);
    const budget = 0.1;
    let best = Infinity;
    for (let i = 0; i < 5 ** 5; i++) {
      const c = Array.from({ length: 5 }, (_, l) => Math.floor(i / 5 ** l) % 5);
      const e = c.reduce((s, j, l) => s + energies[l][j], 0);
      if (lossOf(c) <= budget && e < best) best = e;
    }
    const ga = geneticSearch({ energies, evaluate: lossOf, budget }, { population: 30, generations: 60, seed: 4 });
    expect(ga.feasible).toBe(true);
    expect(ga.energy).toBeGreaterThanOrEqual(best - 1e-12);
    expect(ga.energy).toBeLessThanOrEqual(best * 1.1);
  });

  it('is deterministic for a seed and differs across seeds on the way', () => {
    const { energies, losses } = randomProblem(5, 6, 8);
    const evaluate = (c: readonly number[]) => c.reduce((s, j, l) => s + losses[l][j], 0);
    const run = (seed: number) =>
      geneticSearch({ energies, evaluate, budget: 0.05 }, { population: 8, generations: 4, seed });
    const [a, b, c] = [run(7), run(7), run(8)];
    expect(b.choice).toEqual(a.choice);
    expect(b.history).toEqual(a.history);
    expect(b.evaluations).toBe(a.evaluations);
    expect([c.choice.join(), c.evaluations, c.history.join()]).not.toEqual([
      a.choice.join(),
      a.evaluations,
      a.history.join(),
    ]);
  });

  it('reports infeasible when no assignment meets the budget, returning the least-loss one seen', () => {
    const ga = geneticSearch(
      {
        energies: [
          [1, 2],
          [3, 1],
        ],
        evaluate: (c) => 1 + c[0] * 0.1 - c[1] * 0.01,
        budget: 0.5,
      },
      { population: 6, generations: 10, seed: 1 },
    );
    expect(ga.feasible).toBe(false);
    expect(ga.choice).toEqual([0, 1]);
    expect(ga.loss).toBeCloseTo(0.99, 12);
    // No feasible individual in any generation: every history entry is null (not Infinity).
    expect(ga.history).toEqual(new Array(11).fill(null));
  });

  it('rejects bad arguments with LowbitConfigError', () => {
    const ok = { energies: [[1, 2]], evaluate: () => 0, budget: 0.1 };
    const bad: [unknown, unknown][] = [
      [null, {}],
      [{ ...ok, energies: [] }, {}],
      [{ ...ok, energies: [[]] }, {}],
      [{ ...ok, energies: [[1, -1]] }, {}],
      [{ ...ok, energies: [[1, NaN]] }, {}],
      [{ ...ok, evaluate: 3 }, {}],
      [{ ...ok, budget: Infinity }, {}],
      [{ ...ok, initial: [[2]] }, {}],
      [{ ...ok, initial: [[0, 0]] }, {}],
      [ok, { population: 1 }],
      [ok, { generations: -1 }],
      [ok, { generations: 1.5 }],
      [ok, { seed: -3 }],
      [ok, { crossoverRate: 2 }],
      [ok, { mutationRate: -0.1 }],
      [ok, { elite: 100 }],
      [ok, { populaton: 10 }],
      [{ ...ok, evaluate: () => NaN }, {}],
      [{ ...ok, evaluate: () => Infinity }, {}],
      [{ ...ok, initial: 'nope' }, {}],
      [{ ...ok, bogusKey: 1 }, {}],
      [ok, null],
    ];
    for (const [problem, settings] of bad) {
      expect(() => geneticSearch(problem as never, settings as never), JSON.stringify(settings)).toThrow(
        LowbitConfigError,
      );
    }
  });
});
