// The dependency rules of docs/architecture.md, checked on the files as they are: package.json
// dependencies and every import in the publishable packages' src/ (tests and test helpers
// included only where they would ship).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const workspaceDirs = ['packages', 'tools', 'examples'].flatMap((d) =>
  readdirSync(join(root, d))
    .map((name) => join(root, d, name))
    .filter((dir) => statSync(dir).isDirectory() && readdirSync(dir).includes('package.json')),
);
const manifests = workspaceDirs.map((dir) => ({
  dir,
  json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
}));
const publishable = manifests.filter((m) => relative(root, m.dir).startsWith('packages/') && !m.json.private);
const leafNames = new Set(
  manifests.filter((m) => !relative(root, m.dir).startsWith('packages/')).map((m) => m.json.name as string),
);

/** Which lowbit packages each publishable package may import in its shipped source. */
const ALLOWED: Record<string, string[]> = {
  '@lowbit/training-kernels': ['@lowbit/quant-core/errors'],
  '@lowbit/quant-core': [],
  '@lowbit/hw-model': ['@lowbit/quant-core'],
  '@lowbit/wrpn-layers': ['@lowbit/quant-core', '@lowbit/hw-model'],
  '@lowbit/dqa-activations': ['@lowbit/quant-core', '@lowbit/hw-model'],
  '@lowbit/wage-train': ['@lowbit/quant-core', '@lowbit/hw-model'],
  '@lowbit/log-domain': ['@lowbit/quant-core', '@lowbit/hw-model'],
  '@lowbit/fames-appmul': ['@lowbit/quant-core', '@lowbit/hw-model', '@lowbit/training-kernels'],
  '@lowbit/cli': [
    '@lowbit/quant-core',
    '@lowbit/hw-model',
    '@lowbit/log-domain',
    '@lowbit/wage-train',
    '@lowbit/fames-appmul',
    '@lowbit/dqa-activations',
    '@lowbit/wrpn-layers',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.(test|fixture)\.ts$/.test(e.name) && !/test-util|testing/.test(p) ? [p] : [];
  });
}

/** Module specifiers of `import ... from '...'`, `export ... from '...'` and `import('...')`. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

describe('architecture rules', () => {
  it('knows every publishable package', () => {
    expect(publishable.map((m) => m.json.name).sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it.each(publishable.map((m) => [m.json.name as string, m] as const))(
    '%s depends on no tools/ or examples/ workspace',
    (_name, m) => {
      const deps = { ...(m.json.dependencies ?? {}), ...(m.json.peerDependencies ?? {}) };
      expect(Object.keys(deps).filter((d) => leafNames.has(d))).toEqual([]);
    },
  );

  it.each(publishable.map((m) => [m.json.name as string, m] as const))(
    '%s imports only the lowbit packages below it',
    (name, m) => {
      const allowed = ALLOWED[name]!;
      const bad: string[] = [];
      for (const file of sourceFiles(join(m.dir, 'src'))) {
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          if (!spec.startsWith('@lowbit/')) continue;
          const pkg = spec.split('/').slice(0, 2).join('/');
          if (pkg === name) continue;
          const ok = allowed.some((a) => spec === a || (a.split('/').length === 2 && pkg === a));
          if (!ok) bad.push(`${relative(root, file)}: ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    },
  );

  it('every lowbit dependency a package imports is declared in its package.json', () => {
    const missing: string[] = [];
    for (const m of publishable) {
      const declared = new Set(Object.keys({ ...(m.json.dependencies ?? {}), ...(m.json.peerDependencies ?? {}) }));
      for (const file of sourceFiles(join(m.dir, 'src'))) {
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          if (!spec.startsWith('@lowbit/') || pkg === m.json.name) continue;
          if (!declared.has(pkg)) missing.push(`${m.json.name}: ${pkg} (${relative(root, file)})`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('no tracked file points to a design document outside the repository', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.endsWith('package-lock.json'));
    const pattern = /DESIGN\.md|the shared DESIGN/i;
    const hits = files.filter((f) => {
      if (f.startsWith('tools/arch-check/')) return false;
      try {
        return pattern.test(readFileSync(join(root, f), 'utf8'));
      } catch {
        return false;
      }
    });
    expect(hits).toEqual([]);
  });
});
