/**
 * Result pages: one JSON with everything and one Markdown page whose verdict list is made from the
 * claims, with the command, date, backend, settings and wall time that produced them.
 *
 * ```ts
 * writeResult('docs/results/wrpn', {
 *   title: 'WRPN: width vs precision', command: 'npm run start -w examples/wrpn',
 *   settings, backend: 'wasm (2 threads)', startedAt: new Date(), seconds: 1234,
 *   sections: [{ heading: 'Accuracy', markdown: mdTable(['arm', 'accuracy'], rows) }],
 *   claims, data: { arms },
 * });
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LowbitConfigError } from '@lowbit/quant-core';
import { claimLine, type Claim } from './claims.js';
import type { Spread } from './stats.js';

/** A Markdown table; numbers are written as given (format them first). */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  if (!Array.isArray(header) || header.length === 0) {
    throw new LowbitConfigError('header', header, 'expected a non-empty array of column names');
  }
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== header.length) {
      throw new LowbitConfigError(`rows[${i}]`, r, `expected ${header.length} cells`);
    }
  });
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** "89.12 ± 0.31" (mean ± sample sd), with n when more than one value was averaged. */
export function formatSpread(s: Spread, digits = 2): string {
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
}

export interface ResultPage {
  title: string;
  /** The command that produced the page, as a user types it. */
  command: string;
  settings: object;
  backend: string;
  startedAt: Date;
  seconds: number;
  /** Prose shown under the verdicts, e.g. what the experiment controls for. */
  intro?: string;
  sections: { heading: string; markdown: string }[];
  claims: Claim[];
  data: unknown;
}

/** Writes `<out>.json` and `<out>.md`. */
export function writeResult(out: string, page: ResultPage): { json: string; md: string } {
  if (typeof out !== 'string' || out === '' || /\.(md|json)$/.test(out)) {
    throw new LowbitConfigError('out', out, 'expected an output path without extension');
  }
  mkdirSync(dirname(out), { recursive: true });
  const json = `${out}.json`;
  const md = `${out}.md`;
  writeFileSync(json, JSON.stringify({ ...page, startedAt: page.startedAt.toISOString() }, null, 2) + '\n');
  const minutes = (page.seconds / 60).toFixed(1);
  const lines = [
    `# ${page.title}`,
    '',
    `Produced by \`${page.command}\` on ${page.startedAt.toISOString().slice(0, 10)} (backend: ${page.backend}; ` +
      `wall time ${minutes} min). Settings: \`${JSON.stringify(page.settings)}\`. Raw numbers: ` +
      `[${json.split('/').pop()}](${json.split('/').pop()}).`,
    '',
    ...(page.intro ? [page.intro, ''] : []),
    '## Verdicts',
    '',
    'Each verdict is computed from the numbers below: a paired bootstrap over test images (and over seeds ' +
      'where there are several) gives the interval; **holds** when it lies wholly on the claimed side, ' +
      '**does not hold** when it lies wholly on the other side, **inconclusive** otherwise.',
    '',
    ...(page.claims.length ? page.claims.map((c) => `- ${claimLine(c)}`) : ['- (no claims)']),
    '',
    ...page.sections.flatMap((s) => [`## ${s.heading}`, '', s.markdown, '']),
  ];
  writeFileSync(md, lines.join('\n'));
  return { json, md };
}
