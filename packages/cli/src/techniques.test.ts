// A technique package that fails to import (mid-port, broken install) is a warning, not a crash.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './program.js';
import { loadTechniques, TECHNIQUE_PACKAGES } from './techniques.js';
import { captureIO, quantizedModel, savedModel, tempDir } from './test-models.fixture.js';

vi.mock('@lowbit/wage-train', () => {
  throw new Error('simulated import failure\nsecond line');
});

let netDir: string;
beforeAll(async () => {
  netDir = await savedModel(quantizedModel());
});

describe('technique packages', () => {
  it('lists the five technique packages', () => {
    expect(TECHNIQUE_PACKAGES.map((t) => t.name)).toEqual([
      '@lowbit/log-domain',
      '@lowbit/wage-train',
      '@lowbit/fames-appmul',
      '@lowbit/dqa-activations',
      '@lowbit/wrpn-layers',
    ]);
  });

  it('reports a package that fails to import and imports the others', async () => {
    const load = await loadTechniques();
    expect(load.failed.map((f) => f.name)).toContain('@lowbit/wage-train');
    const wage = load.failed.find((f) => f.name === '@lowbit/wage-train')!;
    expect(wage.message).not.toContain('\n');
    expect(load.loaded).toContain('@lowbit/log-domain');
    expect(load.loaded.length + load.failed.length).toBe(5);
  });

  it('summary still runs and warns on stderr, one line per failed package', async () => {
    const io = captureIO(tempDir());
    expect(await runCli(['summary', netDir], io)).toBe(0);
    expect(io.stdout).toMatch(/\| conv {3}LowbitQuantConv2D/);
    const warnings = io.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^warning: @lowbit\/wage-train could not be imported \(.*\); models that use its parts will not load$/,
      ),
    );
  });

  it('a model needing an unregistered class names the packages that failed to import', async () => {
    const dir = join(tempDir(), 'wage-net');
    cpSync(netDir, dir, { recursive: true });
    const json = readFileSync(join(dir, 'model.json'), 'utf8').replace('"LowbitQuantDense"', '"LowbitWageDense"');
    writeFileSync(join(dir, 'model.json'), json);
    const io = captureIO(tempDir());
    expect(await runCli(['summary', dir], io)).toBe(1);
    const errors = io.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /tfjs could not build the model: .*LowbitWageDense.*\(not imported: .*@lowbit\/wage-train.*\)$/,
    );
  });
});
