/**
 * What a tfjs user does: installs the umbrella `@tensorflow/tfjs` (nothing else from tfjs) and the
 * lowbit packages from their tarballs, then imports them, saves and reloads a model with a lowbit
 * layer, and bundles it all for the browser; and runs the root README's "Install from npm"
 * section as written (lowbit names replaced by the tarballs this repo would publish).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installedCopies,
  lowbitClosure,
  npmInstall,
  packAll,
  publishablePackages,
  readmeInstallSection,
  runNodeScript,
  withTarballs,
  type WorkspacePackage,
} from './pack-check.js';

const root = resolve(import.meta.dirname, '../../..');
const pkgs: WorkspacePackage[] = publishablePackages(root);
const work = mkdtempSync(join(tmpdir(), 'lowbit-user-install-'));
let tarballs: ReturnType<typeof packAll>;

beforeAll(() => {
  tarballs = packAll(pkgs, join(work, 'tarballs'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every import specifier a user may write for the installed lowbit packages (not ./testing). */
function specifiersOf(dir: string): string[] {
  return pkgs.flatMap((p) => {
    const json = JSON.parse(readFileSync(join(dir, 'node_modules', p.name, 'package.json'), 'utf8'));
    const subpaths = Object.keys(json.exports ?? { '.': null }).filter((s) => s !== './testing');
    return subpaths.map((s) => (s === '.' ? p.name : `${p.name}${s.slice(1)}`));
  });
}

interface UmbrellaRun {
  exports: Record<string, number>;
  classFromJson: string;
  isQuantLayer: boolean;
  fromJsonDiff: number;
  loadedClass: string;
  loadedDiff: number;
  codes: number[];
}

describe('only @tensorflow/tfjs 4.22.0 (the umbrella) and the lowbit tarballs', () => {
  const dir = join(work, 'umbrella');
  let run: UmbrellaRun;

  beforeAll(() => {
    npmInstall(dir, ['@tensorflow/tfjs@4.22.0', ...pkgs.map((p) => tarballs.get(p.name)!.tarball)]);
    const script = `
      import { mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      import * as tf from '@tensorflow/tfjs';
      await tf.setBackend('cpu');
      const exports = {};
      for (const s of ${JSON.stringify(specifiersOf(dir))}) exports[s] = Object.keys(await import(s)).length;
      const qc = await import('@lowbit/quant-core');
      const { fileIO } = await import('@lowbit/quant-core/node');
      const model = tf.sequential({ layers: [qc.quantDense({
        inputShape: [4], units: 3, name: 'q',
        kernelQuantizer: new qc.LowbitUniformQuantizer({ bits: 4, symmetric: true }),
      })] });
      const x = tf.tensor2d([[1, 2, 3, 4], [-1, 0.5, 0, 2]]);
      const want = model.predict(x);
      const maxDiff = (m) => tf.max(tf.abs(tf.sub(m.predict(x), want))).dataSync()[0];
      const fromJson = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) });
      fromJson.setWeights(model.getWeights());
      const dir = mkdtempSync(join(tmpdir(), 'lowbit-umbrella-model-'));
      await model.save(fileIO(dir));
      const loaded = await tf.loadLayersModel(fileIO(dir));
      console.log(JSON.stringify({
        exports,
        classFromJson: fromJson.layers[0].getClassName(),
        isQuantLayer: fromJson.layers[0] instanceof qc.LowbitQuantLayer,
        fromJsonDiff: maxDiff(fromJson),
        loadedClass: loaded.layers[0].getClassName(),
        loadedDiff: maxDiff(loaded),
        codes: Array.from(loaded.layers[0].exportQuantized().kernel.codes),
      }));
    `;
    run = runNodeScript<UmbrellaRun>(dir, script);
  });

  it('holds one copy of tfjs-core and of tfjs-layers (the umbrella and lowbit share them)', () => {
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) {
      const copies = installedCopies(dir, name);
      expect(
        copies.map((c) => c.path.slice(dir.length + 1)),
        name,
      ).toEqual([`node_modules/${name}`]);
      expect(copies[0].version).toBe('4.22.0');
    }
    expect(installedCopies(dir, '@tensorflow/tfjs').map((c) => c.version)).toEqual(['4.22.0']);
  });

  it('imports every lowbit entry point in plain Node', () => {
    expect(Object.keys(run.exports).sort()).toEqual(specifiersOf(dir).sort());
    expect(Object.keys(run.exports)).toContain('@lowbit/quant-core/node');
    for (const [s, n] of Object.entries(run.exports)) expect(n, s).toBeGreaterThan(0);
  });

  it('tf.models.modelFromJSON finds the lowbit layer class: it is registered in the one tfjs', () => {
    expect(run.classFromJson).toBe('LowbitQuantDense');
    expect(run.isQuantLayer).toBe(true);
    expect(run.fromJsonDiff).toBe(0);
  });

  it('a model saved with @lowbit/quant-core/node fileIO loads with tf.loadLayersModel, same predictions', () => {
    expect(run.loadedClass).toBe('LowbitQuantDense');
    expect(run.loadedDiff).toBe(0);
    expect(run.codes).toHaveLength(12);
    for (const c of run.codes) expect(Number.isInteger(c) && c >= -8 && c <= 7).toBe(true);
  });

  // training-kernels is for Node (its selectBackend imports the optional peer
  // @tensorflow/tfjs-backend-wasm, which a bundler must then find installed), and a package with a
  // `bin` is a command-line tool: neither is in this bundle.
  it('bundles for the browser from the installed dist with esbuild and no configuration', async () => {
    const isCli = (p: WorkspacePackage) => 'bin' in JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8'));
    const browserPkgs = pkgs.filter((p) => p.name !== '@lowbit/training-kernels' && !isCli(p));
    const imports = browserPkgs.map((p, i) => `import * as m${i} from '${p.name}';`).join('\n');
    const names = browserPkgs.map((_, i) => `m${i}`).join(', ');
    const entry = `import * as tf from '@tensorflow/tfjs';\n${imports}\nexport { tf, ${names} };\n`;
    const result = await esbuild.build({
      stdin: { contents: entry, resolveDir: dir, loader: 'js' },
      absWorkingDir: dir,
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
      metafile: true,
      // fames-appmul reaches training-kernels (its im2col kernel), whose selectBackend loads the
      // optional peer tfjs-backend-wasm on demand: a browser app that wants it installs it.
      external: ['@tensorflow/tfjs-backend-wasm'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes('node_modules/@lowbit/quant-core/dist/'))).toBe(true);
    // one tfjs-core in the bundle too
    const cores = new Set(inputs.filter((f) => f.includes('@tensorflow/tfjs-core/')).map((f) => f.split('/dist/')[0]));
    expect([...cores]).toEqual(['node_modules/@tensorflow/tfjs-core']);
  });
});

describe('the README "Install from npm" section, run as written', () => {
  const readme = readmeInstallSection(readFileSync(join(root, 'README.md'), 'utf8'));
  const dir = join(work, 'readme');
  const outputs: string[] = [];

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, readme.scriptFile), readme.script);
    const env = {
      ...process.env,
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_loglevel: 'error',
    };
    for (const command of readme.commands) {
      const run = withTarballs(command, tarballs);
      outputs.push(execSync(run, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    }
  });

  it('installs the lowbit packages it names, their lowbit dependencies included', () => {
    const named = readme.commands.flatMap((c) => c.match(/@lowbit\/[\w.-]+/g) ?? []);
    expect(named).toContain('@lowbit/quant-core');
    for (const n of named) {
      for (const dep of lowbitClosure(n, pkgs)) expect(named, `${n} needs ${dep}`).toContain(dep);
    }
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) {
      expect(installedCopies(dir, name)).toHaveLength(1);
    }
  });

  it("runs the example: the loss falls, the reloaded layer predicts the same, the cost is below float32's", () => {
    const text = outputs[readme.commands.indexOf(`node ${readme.scriptFile}`)];
    const loss = /loss (\d+\.\d+) -> (\d+\.\d+)/.exec(text);
    expect(loss, text).not.toBeNull();
    expect(Number(loss![2])).toBeLessThan(Number(loss![1]));
    expect(text).toMatch(/reloaded LowbitQuantDense: max difference 0\n/);
    const cost = /(\d+) MACs, (\d+\.\d)% of the float32 energy/.exec(text);
    expect(cost, text).not.toBeNull();
    expect(Number(cost![1])).toBe(8 * 16 + 16 * 1);
    expect(Number(cost![2])).toBeLessThan(100);
  });
});
