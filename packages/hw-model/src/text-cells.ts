/**
 * Number and cell formats shared by the text and Markdown tables (`formatSummary`,
 * `summaryToMarkdown`, `printSummary`). Package-internal: not exported from the index.
 */
import type { ArithmeticCost } from '@lowbit/quant-core';
import type { AccumulatorSpec } from './mac-energy.js';
import type { ModelSummary } from './summary.js';

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const pj = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export const kib = (bits: number) =>
  (bits / 8 / 1024).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const ratio = (r: number | null) => (r === null ? 'n/a' : `${r.toFixed(4)}x`);
export const shape = (s: (number | null)[]) => `(${s.map((d) => (d === null ? -1 : d)).join(', ')})`;

/** `int21`, `fp32`, `log9` (a log-domain register); `-` when absent. */
export function formatAccumulator(a: AccumulatorSpec | undefined): string {
  return a ? `${a.kind === 'float' ? 'fp' : a.kind}${a.bits}` : '-';
}

/** `shift`, `trunc4 0.42x`, `lns + log acc`: the arithmetic's name, its energy ratio and a log accumulate. */
export function formatArithmetic(a: ArithmeticCost | undefined): string {
  if (!a) return 'exact';
  const ratioPart =
    a.multiply === 'approximate' && a.energyRatio !== undefined ? ` ${Number(a.energyRatio.toFixed(4))}x` : '';
  return `${a.name}${ratioPart}${a.accumulate === 'log' ? ' + log acc' : ''}`;
}

/** The parameter widths present in the model, ascending. */
export function bitWidths(s: ModelSummary): number[] {
  const widths = new Set<number>();
  for (const r of s.layers) for (const b of Object.keys(r.paramsByBits)) widths.add(Number(b));
  return [...widths].sort((a, b) => a - b);
}
