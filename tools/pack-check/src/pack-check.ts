/**
 * Packs each publishable workspace package with `npm pack` and installs the tarball into an
 * empty folder with only tfjs beside it (plus the tarballs of the lowbit packages it depends
 * on), then imports it in a fresh Node process. This is what a user gets from npm.
 *
 * ```ts
 * const pkgs = publishablePackages(repoRoot);
 * const tarballs = packAll(pkgs, outDir);
 * const result = installAndImport('@lowbit/quant-core', pkgs, tarballs, workDir);
 * ```
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkspacePackage {
  name: string;
  version: string;
  dir: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

/** Every non-private package under `packages/`. */
export function publishablePackages(root: string): WorkspacePackage[] {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'package.json')))
    .map((d) => ({ d, json: JSON.parse(readFileSync(join(dir, d, 'package.json'), 'utf8')) }))
    .filter(({ json }) => !json.private)
    .map(({ d, json }) => ({
      name: json.name,
      version: json.version,
      dir: join(dir, d),
      dependencies: json.dependencies ?? {},
      peerDependencies: json.peerDependencies ?? {},
    }));
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
}

/** `npm pack` of each package into `outDir`; returns name -> tarball path and its file list. */
export function packAll(pkgs: WorkspacePackage[], outDir: string): Map<string, { tarball: string; files: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const out = new Map<string, { tarball: string; files: string[] }>();
  for (const p of pkgs) {
    const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', outDir], p.dir)) as {
      filename: string;
      files: { path: string }[];
    }[];
    out.set(p.name, { tarball: join(outDir, info.filename), files: info.files.map((f) => f.path) });
  }
  return out;
}

/** The lowbit packages `name` needs, itself included, in dependency order. */
export function lowbitClosure(name: string, pkgs: WorkspacePackage[]): string[] {
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const seen: string[] = [];
  const visit = (n: string) => {
    if (seen.includes(n)) return;
    const p = byName.get(n);
    if (!p) throw new Error(`package ${n} is not a publishable workspace package`);
    for (const dep of Object.keys(p.dependencies)) if (dep.startsWith('@lowbit/')) visit(dep);
    seen.push(n);
  };
  visit(name);
  return seen;
}

export interface InstallResult {
  /** Names exported by the package's entry point, as a fresh Node process sees them. */
  exports: string[];
  /** The same for each subpath entry of its `exports` map (`@lowbit/quant-core/node`, ...), by specifier. */
  subpathExports: Record<string, string[]>;
  dir: string;
}

/**
 * Installs `name` (and its lowbit dependencies) from tarballs into `workDir` beside
 * tfjs-core, tfjs-layers and tfjs-backend-cpu only, then imports it with plain Node.
 */
export function installAndImport(
  name: string,
  pkgs: WorkspacePackage[],
  tarballs: Map<string, { tarball: string }>,
  workDir: string,
): InstallResult {
  mkdirSync(workDir, { recursive: true });
  writeFileSync(
    join(workDir, 'package.json'),
    JSON.stringify({ name: 'empty-consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  const tfjs = [
    '@tensorflow/tfjs-core@4.22.0',
    '@tensorflow/tfjs-layers@4.22.0',
    '@tensorflow/tfjs-backend-cpu@4.22.0',
  ];
  const ours = lowbitClosure(name, pkgs).map((n) => tarballs.get(n)!.tarball);
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tfjs, ...ours], workDir);
  const script = [
    "import * as tf from '@tensorflow/tfjs-core';",
    "import '@tensorflow/tfjs-backend-cpu';",
    'await tf.setBackend("cpu");',
    `const m = await import(${JSON.stringify(name)});`,
    `const subpaths = ${JSON.stringify(subpathSpecifiers(name, workDir))};`,
    'const sub = {};',
    'for (const s of subpaths) sub[s] = Object.keys(await import(s)).sort();',
    'console.log(JSON.stringify({ exports: Object.keys(m).sort(), sub }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: workDir, encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { exports: string[]; sub: Record<string, string[]> };
  return { exports: result.exports, subpathExports: result.sub, dir: workDir };
}

/** `name/sub` for each subpath of the installed package's `exports` map but `.`. */
function subpathSpecifiers(name: string, workDir: string): string[] {
  const json = JSON.parse(readFileSync(join(workDir, 'node_modules', name, 'package.json'), 'utf8'));
  return Object.keys(json.exports ?? {})
    .filter((s) => s !== '.')
    .map((s) => `${name}${s.slice(1)}`);
}

/**
 * `npm install <specs>` into a fresh `workDir` (with an empty ESM package.json), offline first,
 * no audit, no install scripts. `specs` are registry specs or tarball paths.
 */
export function npmInstall(workDir: string, specs: string[]): void {
  mkdirSync(workDir, { recursive: true });
  const pkg = { name: 'empty-consumer', version: '1.0.0', private: true, type: 'module' };
  writeFileSync(join(workDir, 'package.json'), JSON.stringify(pkg));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...specs], workDir);
}

/** Every installed copy of package `name` under `dir/node_modules`, nested copies included. */
export function installedCopies(dir: string, name: string): Array<{ path: string; version: string }> {
  const out: Array<{ path: string; version: string }> = [];
  const visit = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@');
      const top = join(modules, entry);
      const dirs = scoped ? readdirSync(top).map((e) => join(top, e)) : [top];
      for (const d of dirs) {
        const file = join(d, 'package.json');
        if (!existsSync(file)) continue;
        const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === name) out.push({ path: d, version: json.version ?? '?' });
        visit(join(d, 'node_modules'));
      }
    }
  };
  visit(join(dir, 'node_modules'));
  return out;
}

/** Runs an ES module script with plain Node in `cwd`; returns the JSON its last stdout line holds. */
export function runNodeScript<T = unknown>(cwd: string, script: string): T {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** What the README's "Install from npm" section tells a user to run. */
export interface ReadmeInstall {
  /** The shell commands of its first ```sh block, one per line, as written. */
  commands: string[];
  /** The first ```js block: the example script. */
  script: string;
  /** The script's file name, from the `node <file>` command. */
  scriptFile: string;
}

/** Extracts the "## Install from npm" section of `markdown` (throws when it is missing). */
export function readmeInstallSection(markdown: string): ReadmeInstall {
  const start = markdown.indexOf('\n## Install from npm\n');
  if (start < 0) throw new Error('README has no "## Install from npm" section');
  const rest = markdown.slice(start + 1);
  const next = rest.indexOf('\n## ', 1);
  const section = next < 0 ? rest : rest.slice(0, next);
  const sh = /```sh\n([\s\S]*?)\n```/.exec(section);
  const js = /```js\n([\s\S]*?)\n```/.exec(section);
  if (!sh || !js) throw new Error('the "Install from npm" section needs a ```sh block and a ```js block');
  const commands = sh[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const node = commands.map((c) => /^node (\S+)$/.exec(c)).find((m) => m);
  if (!node) throw new Error('the ```sh block has no `node <file>` command');
  return { commands, script: js[1] + '\n', scriptFile: node[1] };
}

/**
 * `command` with every `@lowbit/<name>` (optionally `@version`) replaced by the path of that
 * package's tarball: the README's command, installing what this repo would publish.
 */
export function withTarballs(command: string, tarballs: Map<string, { tarball: string }>): string {
  return command.replace(/(^|\s)(@lowbit\/[\w.-]+)(@\S+)?(?=\s|$)/g, (_, space: string, name: string) => {
    const t = tarballs.get(name);
    if (!t) throw new Error(`${name} is not a publishable package of this repository`);
    return `${space}${t.tarball}`;
  });
}
