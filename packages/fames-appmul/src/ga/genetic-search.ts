/**
 * Genetic-algorithm baseline for per-layer multiplier selection (FAMES, arXiv 2411.18055): the search FAMES
 * replaces. Each individual is one option index per layer; its fitness comes from a REAL
 * evaluation (`evaluate(choice)`: e.g. set the multipliers, run the model on calibration data and
 * return the loss change against exact products), not from the counting-matrix estimate.
 *
 * Objective: minimise `sum of layer energies` subject to `evaluate(choice) <= budget`.
 * Constraint handling by feasibility rules (Deb 2000): a feasible individual always beats an
 * infeasible one, feasible ones compare by energy, infeasible ones by how far they exceed the
 * budget. Operators: binary tournament selection, uniform crossover, per-gene mutation to a
 * random option, elitism. The all-minimum-energy individual and, when given, `initial`
 * individuals seed the first population; the rest is random. Evaluations are memoised (the same
 * assignment is never evaluated twice) and `evaluations` counts the distinct ones.
 * Deterministic for a given `seed` (quant-core's {@link SeededRng}) and a deterministic `evaluate`.
 *
 * Hand-written rather than a GA library: the npm GA packages are unmaintained or float-vector
 * oriented, and this is ~100 lines over an integer genome with a constraint.
 *
 * ```ts
 * const result = geneticSearch({
 *   energies: [[10, 6, 3], [8, 5]],            // per layer, per option
 *   evaluate: (choice) => measuredLossChange(choice),
 *   budget: 0.07,
 * }, { population: 16, generations: 20, seed: 1 });
 * result.choice; result.energy; result.loss; result.evaluations; result.seconds;
 * ```
 */
import { LowbitConfigError, SeededRng, checkFinite, checkInteger, checkKnownKeys } from '@lowbit/quant-core';

export interface GeneticProblem {
  /** `energies[l][j]`: energy of option `j` in layer `l` (finite, >= 0). */
  energies: number[][];
  /** Measured loss (change) of one assignment; must be deterministic. */
  evaluate: (choice: readonly number[]) => number;
  /** Largest allowed `evaluate(choice)`. */
  budget: number;
  /** Individuals to put into the first population (e.g. the all-exact assignment). */
  initial?: number[][];
}

export interface GeneticSettings {
  /** Individuals per generation (default 24, >= 2). */
  population?: number;
  /** Generations after the first population (default 30, >= 0). */
  generations?: number;
  /** Seed of the random stream (default 0). */
  seed?: number;
  /** Probability of uniform crossover per child (default 0.9). */
  crossoverRate?: number;
  /** Per-gene mutation probability (default 1 / layers). */
  mutationRate?: number;
  /** Best individuals copied unchanged to the next generation (default 2). */
  elite?: number;
}

export interface GeneticResult {
  /** Best assignment found (feasible if any evaluated assignment was). */
  choice: number[];
  energy: number;
  /** Its measured loss (change). */
  loss: number;
  feasible: boolean;
  /** Distinct assignments evaluated (calls of `evaluate`). */
  evaluations: number;
  /** Wall time of the whole search, seconds. */
  seconds: number;
  /** Best energy among feasible individuals after each generation (null while there is none). */
  history: (number | null)[];
}

interface Scored {
  choice: number[];
  energy: number;
  loss: number;
}

/** True when `x` is better than `y` under the feasibility rules. */
function better(x: Scored, y: Scored, budget: number): boolean {
  const fx = x.loss <= budget;
  const fy = y.loss <= budget;
  if (fx !== fy) return fx;
  if (fx) return x.energy < y.energy || (x.energy === y.energy && x.loss < y.loss);
  return x.loss < y.loss || (x.loss === y.loss && x.energy < y.energy);
}

function checkProblem(problem: GeneticProblem): void {
  if (problem == null || typeof problem !== 'object' || Array.isArray(problem))
    throw new LowbitConfigError('problem', problem, 'expected { energies, evaluate, budget }');
  checkKnownKeys('problem', problem, ['energies', 'evaluate', 'budget', 'initial']);
  const { energies, evaluate, budget, initial } = problem;
  if (!Array.isArray(energies) || energies.length === 0)
    throw new LowbitConfigError('energies', energies, 'expected one non-empty array of option energies per layer');
  energies.forEach((layer, l) => {
    if (!Array.isArray(layer) || layer.length === 0)
      throw new LowbitConfigError(`energies[${l}]`, layer, 'expected a non-empty array of option energies');
    layer.forEach((e, j) => checkFinite(`energies[${l}][${j}]`, e, { min: 0 }));
  });
  if (typeof evaluate !== 'function')
    throw new LowbitConfigError('evaluate', evaluate, 'expected a function (choice) => measured loss');
  checkFinite('budget', budget);
  if (initial !== undefined && !Array.isArray(initial))
    throw new LowbitConfigError('initial', initial, 'expected an array of individuals (option indices per layer)');
  for (const [i, ind] of (initial ?? []).entries()) {
    if (
      !Array.isArray(ind) ||
      ind.length !== energies.length ||
      ind.some((j, l) => !Number.isInteger(j) || j < 0 || j >= energies[l].length)
    ) {
      throw new LowbitConfigError(
        `initial[${i}]`,
        ind,
        `expected ${energies.length} option indices within each layer's options`,
      );
    }
  }
}

/** Runs the GA; see the module docs. */
export function geneticSearch(problem: GeneticProblem, settings: GeneticSettings = {}): GeneticResult {
  const start = performance.now();
  checkProblem(problem);
  checkKnownKeys('settings', settings, ['population', 'generations', 'seed', 'crossoverRate', 'mutationRate', 'elite']);
  const { energies, evaluate, budget } = problem;
  const L = energies.length;
  const population = checkInteger('population', settings.population ?? 24, 2, 100_000);
  const generations = checkInteger('generations', settings.generations ?? 30, 0, 1_000_000);
  const seed = checkInteger('seed', settings.seed ?? 0, 0, 0xffffffff);
  const crossoverRate = checkFinite('crossoverRate', settings.crossoverRate ?? 0.9, { min: 0, max: 1 });
  const mutationRate = checkFinite('mutationRate', settings.mutationRate ?? 1 / L, { min: 0, max: 1 });
  const elite = checkInteger('elite', settings.elite ?? 2, 0, population);
  const rng = new SeededRng(seed);
  const draw = () => rng.uniform(1)[0];
  const pick = (n: number) => Math.min(n - 1, Math.floor(draw() * n));

  const cache = new Map<string, number>();
  const score = (choice: number[]): Scored => {
    const key = choice.join(',');
    let loss = cache.get(key);
    if (loss === undefined) {
      loss = evaluate(choice);
      if (typeof loss !== 'number' || !Number.isFinite(loss))
        throw new LowbitConfigError('evaluate', loss, `expected a finite number for assignment [${key}]`);
      cache.set(key, loss);
    }
    return { choice, energy: choice.reduce((s, j, l) => s + energies[l][j], 0), loss };
  };

  const cheapest = energies.map((layer) => layer.reduce((bi, e, j) => (e < layer[bi] ? j : bi), 0));
  const first: number[][] = [cheapest, ...(problem.initial ?? []).map((c) => [...c])].slice(0, population);
  while (first.length < population) first.push(energies.map((layer) => pick(layer.length)));
  let current = first.map(score);
  let best = current.reduce((b, s) => (better(s, b, budget) ? s : b));
  const history: (number | null)[] = [];
  const record = () => history.push(best.loss <= budget ? best.energy : null);
  record();

  const tournament = () => {
    const x = current[pick(current.length)];
    const y = current[pick(current.length)];
    return better(y, x, budget) ? y : x;
  };
  for (let g = 0; g < generations; g++) {
    const ranked = [...current].sort((x, y) => (better(x, y, budget) ? -1 : better(y, x, budget) ? 1 : 0));
    const next: Scored[] = ranked.slice(0, elite);
    while (next.length < population) {
      const p1 = tournament().choice;
      const p2 = tournament().choice;
      const cross = draw() < crossoverRate;
      const child = p1.map((j, l) => (cross && draw() < 0.5 ? p2[l] : j));
      for (let l = 0; l < L; l++) if (draw() < mutationRate) child[l] = pick(energies[l].length);
      next.push(score(child));
    }
    current = next;
    for (const s of current) if (better(s, best, budget)) best = s;
    record();
  }
  return {
    choice: [...best.choice],
    energy: best.energy,
    loss: best.loss,
    feasible: best.loss <= budget,
    evaluations: cache.size,
    seconds: (performance.now() - start) / 1000,
    history,
  };
}
