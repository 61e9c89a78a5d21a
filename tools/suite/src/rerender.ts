/**
 * Redraws a report's index.html and summary.md from its summary.json (after changing the charts or
 * the Markdown, or to get the HTML back from a run whose chart step failed):
 *
 *   npm run report -w tools/suite -- reports/2026-11-21T23-59-01
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderCharts } from './report/charts.js';
import { reportHtml } from './report/html.js';
import type { SuiteSummary } from './suite-summary.js';
import { summaryMarkdown } from './table.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npm run report -w tools/suite -- <report folder holding summary.json>\n');
  process.exit(1);
}
const folder = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')) as SuiteSummary;
writeFileSync(join(folder, 'index.html'), reportHtml(summary, await renderCharts(summary.rows)));
writeFileSync(join(folder, 'summary.md'), summaryMarkdown(summary));
console.log(`written ${join(folder, 'index.html')} and summary.md`);
