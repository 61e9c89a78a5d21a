import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  browserEntries,
  bundleForBrowser,
  bundleSource,
  evaluateWithoutNodeGlobals,
  type BrowserBundle,
} from './browser-bundle.js';

const root = resolve(import.meta.dirname, '../../..');
const entries = browserEntries(root);
const bundles = new Map<string, BrowserBundle | Error>();

beforeAll(async () => {
  for (const e of entries) {
    bundles.set(e.specifier, await bundleForBrowser(e.specifier, { root }).catch((err: Error) => err));
  }
});

function bundleOf(specifier: string): BrowserBundle {
  const b = bundles.get(specifier);
  if (b instanceof Error) throw new Error(`esbuild could not bundle ${specifier} for the browser: ${b.message}`);
  return b!;
}

describe('the checker itself', () => {
  it('finds a Node built-in import, even a dynamic one inside a function never called', async () => {
    const b = await bundleSource(
      "import { join } from 'path'; export { join };\n" +
        "export const f = async () => (await import('node:fs/promises')).readFile;",
      { root },
    );
    expect(b.nodeImports.map((i) => [i.path, i.kind])).toEqual([
      ['path', 'import-statement'],
      ['node:fs/promises', 'dynamic-import'],
    ]);
  });

  it('finds Node globals referenced in code, not in strings, comments or shadowing locals', async () => {
    const b = await bundleSource(
      [
        "export const s = 'the process and its Buffer'; // process.env",
        'export const f = (process) => process.x;',
        'export const g = () => Buffer.from([1]);',
        'export const h = () => globalThis.process;',
      ].join('\n'),
      { root },
    );
    expect(b.nodeGlobals.map((g) => g.name)).toEqual(['Buffer']);
    // globalThis.process is a property read, which a text check of the bundle catches instead
    expect(b.code).toContain('globalThis.process');
  });

  it('reports a top-level use of process as a failed evaluation', async () => {
    // (not process.env.NODE_ENV: esbuild replaces that one with a constant for the browser)
    const bad = await bundleSource('export const argc = process.argv.length;', { root }, 'bad');
    const tfjsOnly = "import * as tf from '@tensorflow/tfjs-core'; export const v = tf.version_core;";
    const good = await bundleSource(tfjsOnly, { root }, 'good');
    const [b, g] = evaluateWithoutNodeGlobals([bad, good], root);
    expect(b.ok).toBe(false);
    expect(b.error).toMatch(/ReferenceError: process is not defined/);
    expect(g).toEqual({ specifier: 'good', ok: true, exports: 1 });
  });
});

describe('every publishable entry point bundled for the browser (esbuild, platform browser, tfjs external)', () => {
  it('lists the packages and skips only the Node-only entries', () => {
    const specifiers = entries.map((e) => e.specifier);
    expect(specifiers).toContain('@lowbit/quant-core');
    expect(specifiers).toContain('@lowbit/hw-model');
    expect(specifiers).not.toContain('@lowbit/quant-core/node');
  });

  describe.each(entries.map((e) => [e.specifier] as const))('%s', (specifier) => {
    it('imports no Node built-in module, statically or dynamically', () => {
      const b = bundleOf(specifier);
      expect(b.nodeImports, JSON.stringify(b.nodeImports)).toEqual([]);
      expect(b.externals.filter((x) => !x.startsWith('@tensorflow/'))).toEqual([]);
    });

    it('references no Node global (process, Buffer, global, __dirname, setImmediate, ...)', () => {
      const b = bundleOf(specifier);
      expect(b.nodeGlobals).toEqual([]);
      expect(b.code).not.toMatch(/globalThis\s*(\.|\[['"])(process|Buffer)\b/);
    });
  });

  it('each bundle imports in a Node process whose Node globals were deleted (tfjs preloaded as a page would)', () => {
    const ok = entries.map((e) => bundles.get(e.specifier)).filter((b): b is BrowserBundle => !(b instanceof Error));
    const results = evaluateWithoutNodeGlobals(ok, root);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    for (const r of results) expect(r.exports, r.specifier).toBeGreaterThan(0);
  });
});
