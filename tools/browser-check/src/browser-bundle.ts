/**
 * Bundles a package entry point for the browser with esbuild (platform 'browser', tfjs external)
 * and reports what would break a browser: imports of Node built-ins (`node:fs`, `path`, ...,
 * static or dynamic, even inside a function that is never called: a browser bundler cannot
 * resolve them) and references to Node globals (`process`, `Buffer`, `global`, ...).
 *
 * ```ts
 * const entries = browserEntries(repoRoot);              // every publishable entry but ./node
 * const b = await bundleForBrowser('@lowbit/quant-core', { root: repoRoot });
 * b.nodeImports;  // [] or [{ path: 'node:fs/promises', importer: 'packages/x/src/y.ts', kind: 'dynamic-import' }]
 * b.nodeGlobals;  // [] or [{ name: 'process', module: 'packages/x/src/y.ts' }]
 * ```
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** One entry point of a publishable package, as a user imports it. */
export interface BrowserEntry {
  /** Package name, e.g. `@lowbit/quant-core`. */
  pkg: string;
  /** Export subpath, e.g. `.` or `./errors`. */
  subpath: string;
  /** What a user writes in `import ... from`, e.g. `@lowbit/quant-core/errors`. */
  specifier: string;
}

/** Export subpaths that are Node-only by convention and not bundled for the browser. */
export const NODE_ONLY_SUBPATHS: readonly string[] = ['./node', './testing'];

/** Globals Node has and browsers do not. */
export const NODE_GLOBALS: readonly string[] = [
  'process',
  'Buffer',
  'global',
  '__dirname',
  '__filename',
  'setImmediate',
  'clearImmediate',
];

/**
 * Every entry point of every non-private package under `packages/`, except Node-only subpaths and
 * packages with a `bin` (command-line tools: Node programs, not browser libraries).
 */
export function browserEntries(root: string): BrowserEntry[] {
  const dir = join(root, 'packages');
  const out: BrowserEntry[] = [];
  for (const d of readdirSync(dir).sort()) {
    const file = join(dir, d, 'package.json');
    if (!existsSync(file)) continue;
    type Manifest = { name: string; private?: boolean; exports?: unknown; bin?: unknown };
    const json = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (json.private || json.bin) continue;
    const subpaths = json.exports && typeof json.exports === 'object' ? Object.keys(json.exports) : ['.'];
    for (const subpath of subpaths) {
      if (NODE_ONLY_SUBPATHS.includes(subpath) || subpath.includes('*')) continue;
      out.push({ pkg: json.name, subpath, specifier: subpath === '.' ? json.name : `${json.name}${subpath.slice(1)}` });
    }
  }
  return out;
}

export interface NodeImport {
  path: string;
  /** The importing file, relative to the repo root. */
  importer: string;
  kind: string;
}

export interface BrowserBundle {
  specifier: string;
  /** The ESM bundle, tfjs imports left as they are (`@tensorflow/*` is external). */
  code: string;
  nodeImports: NodeImport[];
  /** Node globals referenced anywhere in the bundle, with the module that references them. */
  nodeGlobals: Array<{ name: string; module: string }>;
  /** Every bare import left external (all must be `@tensorflow/*` or Node built-ins). */
  externals: string[];
}

export interface BundleOptions {
  root: string;
  /** Resolve lowbit packages to `src/` (default) or to the built `dist/`. */
  source?: 'src' | 'dist';
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function isNodeBuiltin(path: string): boolean {
  return path.startsWith('node:') || BUILTINS.has(path) || BUILTINS.has(path.split('/')[0]);
}

const marker = (name: string) => `__LOWBIT_NODE_GLOBAL_${name}__`;

async function build(
  contents: string,
  { root, source = 'src' }: BundleOptions,
  define: Record<string, string>,
): Promise<{ code: string; nodeImports: NodeImport[]; externals: string[] }> {
  const nodeImports: NodeImport[] = [];
  const externals = new Set<string>();
  const plugin: esbuild.Plugin = {
    name: 'lowbit-node-builtins',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isNodeBuiltin(args.path)) {
          const importer = args.importer.startsWith('/') ? relative(root, args.importer) : args.importer;
          nodeImports.push({ path: args.path, importer, kind: args.kind });
          externals.add(args.path);
          return { path: args.path, external: true };
        }
        if (args.path.startsWith('@tensorflow/')) {
          externals.add(args.path);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const result = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'js', sourcefile: '<entry>' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: source === 'src' ? ['@lowbit/source'] : [],
    define,
    plugins: [plugin],
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0].text, nodeImports, externals: [...externals].sort() };
}

/** The module comment esbuild writes before each file's code (`// packages/x/src/y.ts`) that precedes `at`. */
function moduleAt(code: string, at: number): string {
  const before = code.slice(0, at);
  const matches = [...before.matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)];
  return matches.length ? matches[matches.length - 1][1] : '<unknown module>';
}

/**
 * Bundles `specifier` (a package or any module source, see {@link bundleSource}) for the
 * browser and reports Node built-in imports and Node global references.
 */
export async function bundleForBrowser(specifier: string, options: BundleOptions): Promise<BrowserBundle> {
  return bundleSource(`export * from ${JSON.stringify(specifier)};`, options, specifier);
}

/** {@link bundleForBrowser} of a module given as source text (resolved from the repo root). */
export async function bundleSource(
  contents: string,
  options: BundleOptions,
  label = '<source>',
): Promise<BrowserBundle> {
  const plain = await build(contents, options, {});
  // A second build replaces every reference to a Node global (never strings, comments or local
  // variables of the same name: esbuild's define only rewrites unbound identifiers) by a marker.
  const marked = await build(contents, options, Object.fromEntries(NODE_GLOBALS.map((g) => [g, marker(g)])));
  const nodeGlobals: BrowserBundle['nodeGlobals'] = [];
  for (const name of NODE_GLOBALS) {
    for (const m of marked.code.matchAll(new RegExp(marker(name), 'g'))) {
      const module = moduleAt(marked.code, m.index);
      if (!nodeGlobals.some((g) => g.name === name && g.module === module)) nodeGlobals.push({ name, module });
    }
  }
  const { code, nodeImports, externals } = plain;
  return { specifier: label, code, nodeImports, nodeGlobals, externals };
}

export interface EvaluationResult {
  specifier: string;
  ok: boolean;
  /** Number of names the module exports (when ok). */
  exports?: number;
  error?: string;
}

/**
 * Writes each bundle under `<root>/node_modules/.cache/lowbit-browser-check/` (so its tfjs imports
 * resolve to the repo's tfjs) and imports them all in one fresh Node process from which the Node
 * globals were deleted first (tfjs itself is loaded before, as a browser page would load it).
 * A bundle that touches `process`, `Buffer`, ... while being imported fails with a ReferenceError.
 */
export function evaluateWithoutNodeGlobals(bundles: BrowserBundle[], root: string): EvaluationResult[] {
  const dir = join(root, 'node_modules', '.cache', 'lowbit-browser-check');
  mkdirSync(dir, { recursive: true });
  const files = bundles.map((b, i) => {
    const file = join(dir, `${i}-${b.specifier.replace(/[^\w.-]+/g, '+')}.mjs`);
    writeFileSync(file, b.code);
    return [b.specifier, pathToFileURL(file).href];
  });
  const script = `
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-layers');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const log = console.log.bind(console);
    for (const name of ${JSON.stringify(NODE_GLOBALS)}) Reflect.deleteProperty(globalThis, name);
    const left = ${JSON.stringify(NODE_GLOBALS)}.filter((n) => n in globalThis);
    if (left.length) throw new Error('could not delete the globals ' + left.join(', '));
    const results = [];
    for (const [specifier, url] of ${JSON.stringify(files)}) {
      try {
        const m = await import(url);
        results.push({ specifier, ok: true, exports: Object.keys(m).length });
      } catch (e) {
        results.push({ specifier, ok: false, error: String(e && e.stack || e) });
      }
    }
    log('RESULTS ' + JSON.stringify(results));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULTS '));
  if (!line) throw new Error(`the evaluation process printed no results:\n${out}`);
  return JSON.parse(line.slice('RESULTS '.length)) as EvaluationResult[];
}
