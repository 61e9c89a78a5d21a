/**
 * Prints the behavioural AppMul library for one operand pair: energy (gate-count proxy) and error.
 * Run: `npm run library-table -w packages/fames-appmul -- 8u 8s` (activation, weight: bits + u|s).
 */
import { appMulLibrary, lowRankFactors } from '../src/index.js';

const parse = (s = '8u') => ({ bits: Number(s.slice(0, -1)), signed: s.endsWith('s') });
const [a, w] = [parse(process.argv[2]), parse(process.argv[3] ?? '8s')];
const lib = appMulLibrary({ a, w });
console.table(
  lib.map((m) => ({
    name: m.name,
    family: m.family,
    'pJ/mul (proxy)': +m.energyPj.toFixed(4),
    'energy %': +((100 * m.energyPj) / lib[0].energyPj).toFixed(1),
    'mae%': +m.metrics().maePercent.toPrecision(3),
    'wce%': +m.metrics().wcePercent.toPrecision(3),
    'bias%': +m.metrics().meanErrorPercent.toPrecision(3),
    'ep%': +m.metrics().errorProbabilityPercent.toPrecision(3),
    // The product table's rank: the low-rank simulation path takes tables of rank <= 8 (README).
    rank: lowRankFactors(m, 256, 'product')?.rank ?? 256,
  })),
);
