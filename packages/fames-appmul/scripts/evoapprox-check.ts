/**
 * Recomputes EvoApproxLib's published error figures from the tables and prints them side by side.
 * Run: `npm run evoapprox-check -w packages/fames-appmul [-- <dir>]`
 * (default dir: ../shared/appmul/evoapprox-mul8u beside the repository root).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lowRankFactors } from '../src/index.js';
import { loadEvoApproxLibrary } from '../src/node.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = process.argv[2] ?? join(root, '..', 'shared', 'appmul', 'evoapprox-mul8u');
if (!existsSync(join(dir, 'multipliers.json'))) {
  console.error(`no EvoApproxLib tables at ${dir}`);
  process.exit(1);
}
const decimals = (x: number) => (String(x).split('.')[1] ?? '').length;
const agrees = (ours: number, published: number) =>
  Math.abs(ours - published) <= 0.5 * 10 ** -decimals(published) + 1e-12;
const lib = await loadEvoApproxLibrary(dir);
const rows = lib.map((m) => {
  const p = m.params as Record<string, number>;
  const o = m.metrics();
  return {
    name: m.name,
    'mae% pub': p['mae%'],
    'mae% ours': +o.maePercent.toPrecision(4),
    'wce% pub': p['wce%'],
    'wce% ours': +o.wcePercent.toPrecision(4),
    'mre% pub': p['mre%'],
    'mre% ours': +o.mrePercent.toPrecision(4),
    'ep% pub': p['ep%'],
    'ep% ours': +o.errorProbabilityPercent.toPrecision(4),
    'pJ/mul': +m.energyPj.toFixed(4),
    // The product table's rank: the low-rank simulation path takes tables of rank <= 8 (README).
    rank: lowRankFactors(m, 256, 'product')?.rank ?? 256,
    ok: ['mae%', 'wce%', 'mre%', 'ep%'].every((k, i) =>
      agrees([o.maePercent, o.wcePercent, o.mrePercent, o.errorProbabilityPercent][i], p[k]),
    ),
  };
});
console.table(rows);
const failing = rows.filter((r) => !r.ok);
console.log(
  `${rows.length} multipliers; MAE%, WCE%, MRE% and EP% agree with the published figures to the printed digits for ${rows.length - failing.length}`,
);
if (failing.length) console.log('differing:', failing.map((r) => r.name).join(', '));
const lowRank = rows.filter((r) => r.rank <= 8);
console.log(
  `${lowRank.length} of ${rows.length} have a product table of rank <= 8: ${lowRank.map((r) => `${r.name} (${r.rank})`).join(', ')}`,
);
