/**
 * Keeps the code blocks in docs/*.md identical to the files in docs/snippets/ (which the tests
 * run). A page marks a snippet with `<!-- snippet: name.ts -->`; the fenced block right after the
 * marker is the file's content.
 *
 *   npm run docs:snippets -w tools/suite      # rewrites the blocks from the files
 *
 * ```ts
 * fillSnippets('<!-- snippet: a.ts -->\n', (name) => 'let x = 1;\n'); // marker + ```ts block
 * ```
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = /<!-- snippet: ([\w.-]+\.ts) -->\n(?:\n?```ts\n[\s\S]*?\n```\n)?/g;

/** The markdown with every marked block replaced by (or filled with) the snippet file's text. */
export function fillSnippets(markdown: string, read: (name: string) => string): string {
  return markdown.replace(
    MARKER,
    (_, name: string) => `<!-- snippet: ${name} -->\n\n\`\`\`ts\n${read(name).replace(/\n+$/, '')}\n\`\`\`\n`,
  );
}

/** Snippet names a page marks. */
export function markedSnippets(markdown: string): string[] {
  return [...markdown.matchAll(MARKER)].map((m) => m[1]);
}

/** Markdown pages under docs/ (not docs/api, docs/results). */
export function docPages(docsDir: string): string[] {
  const pages = readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(docsDir, f));
  const guides = join(docsDir, 'guides');
  return [
    ...pages,
    ...readdirSync(guides)
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(guides, f)),
  ];
}

if (process.argv[1]?.endsWith('doc-snippets.ts')) {
  const docs = join(import.meta.dirname, '../../../docs');
  const read = (name: string) => readFileSync(join(docs, 'snippets', name), 'utf8');
  for (const page of docPages(docs)) {
    const before = readFileSync(page, 'utf8');
    const after = fillSnippets(before, read);
    if (after !== before) {
      writeFileSync(page, after);
      console.log(`updated ${page}`);
    }
  }
}
