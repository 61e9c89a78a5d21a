import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installAndImport, packAll, publishablePackages, type WorkspacePackage } from './pack-check.js';

const root = resolve(import.meta.dirname, '../../..');
const pkgs: WorkspacePackage[] = publishablePackages(root);
let tarballs: ReturnType<typeof packAll>;
const work = mkdtempSync(join(tmpdir(), 'lowbit-pack-'));
const snapshotFile = resolve(import.meta.dirname, '../exports.snapshot.json');
const snapshot: Record<string, string[]> = existsSync(snapshotFile)
  ? JSON.parse(readFileSync(snapshotFile, 'utf8'))
  : {};

beforeAll(() => {
  tarballs = packAll(pkgs, join(work, 'tarballs'));
});

describe('npm pack of every publishable package', () => {
  it('finds the packages', () => {
    expect(pkgs.map((p) => p.name)).toContain('@lowbit/quant-core');
  });

  describe.each(pkgs.map((p) => [p.name, p] as const))('%s', (name, pkg) => {
    it('declares tfjs as a peer dependency, not a dependency', () => {
      expect(pkg.peerDependencies['@tensorflow/tfjs-core']).toBe('^4.22.0');
      expect(pkg.peerDependencies['@tensorflow/tfjs-layers']).toBe('^4.22.0');
      expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith('@tensorflow/'))).toEqual([]);
    });

    it('ships ESM with .d.ts and a README, and no sources or tests', () => {
      const files = tarballs.get(name)!.files;
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.d.ts');
      expect(files).toContain('README.md');
      expect(files.filter((f) => f.endsWith('.test.js') || f.startsWith('src/'))).toEqual([]);
    });

    it('installs into an empty folder with only tfjs beside it, imports in plain Node, and exports the curated API', () => {
      const result = installAndImport(name, pkgs, tarballs, join(work, name.replace('/', '+')));
      expect(result.exports.length).toBeGreaterThan(0);
      // The public API is a decision: a change to the export list must update exports.snapshot.json
      // (LOWBIT_UPDATE_EXPORTS=1 npx vitest run --project pack-check rewrites it).
      // Subpath entries (`@lowbit/quant-core/node`, ...) are part of it, each under its own specifier.
      if (process.env.LOWBIT_UPDATE_EXPORTS === '1') {
        snapshot[name] = result.exports;
        Object.assign(snapshot, result.subpathExports);
        writeFileSync(snapshotFile, `${JSON.stringify(snapshot, null, 2)}\n`);
      }
      expect(result.exports).toEqual(snapshot[name]);
      for (const [specifier, names] of Object.entries(result.subpathExports)) {
        expect(names, specifier).toEqual(snapshot[specifier]);
      }
    });
  });
});
