import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docPages, fillSnippets, markedSnippets } from './doc-snippets.js';

const DOCS = join(import.meta.dirname, '../../../docs');
const read = (name: string) => readFileSync(join(DOCS, 'snippets', name), 'utf8');

describe('fillSnippets', () => {
  it('fills an empty marker and replaces a stale block, leaving the rest alone', () => {
    const files: Record<string, string> = { 'a.ts': 'const a = 1;\n', 'b.ts': 'const b = 2;\n' };
    const page = 'intro\n<!-- snippet: a.ts -->\n\ntext\n<!-- snippet: b.ts -->\n\n```ts\nold();\n```\nend\n';
    const out = fillSnippets(page, (n) => files[n]);
    expect(out).toBe(
      'intro\n<!-- snippet: a.ts -->\n\n```ts\nconst a = 1;\n```\n\ntext\n<!-- snippet: b.ts -->\n\n```ts\nconst b = 2;\n```\nend\n',
    );
    expect(fillSnippets(out, (n) => files[n])).toBe(out); // idempotent
    expect(markedSnippets(out)).toEqual(['a.ts', 'b.ts']);
  });
});

describe('docs pages', () => {
  const pages = docPages(DOCS);
  it('show exactly the snippet files the tests run (npm run docs:snippets -w tools/suite to refresh)', () => {
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      expect(fillSnippets(text, read), page).toBe(text);
    }
  });

  it('every snippet file is shown on some page, and every guide shows one', () => {
    const shown = new Set(pages.flatMap((p) => markedSnippets(readFileSync(p, 'utf8'))));
    const files = readdirSync(join(DOCS, 'snippets')).filter((f) => f.endsWith('.ts'));
    expect([...shown].sort()).toEqual(files.sort());
    for (const guide of pages.filter((p) => p.includes('/guides/')))
      expect(markedSnippets(readFileSync(guide, 'utf8')).length, guide).toBeGreaterThan(0);
  });
});
