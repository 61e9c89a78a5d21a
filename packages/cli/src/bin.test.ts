// The real executable: bin/lowbit.js in a checkout runs src/bin.ts through tsx (no build needed).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantizedModel, savedModel, tempDir } from './test-models.fixture.js';

const bin = resolve(import.meta.dirname, '../bin/lowbit.js');
let netDir: string;
beforeAll(async () => {
  netDir = await savedModel(quantizedModel());
});

function lowbit(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: tempDir(), encoding: 'utf8', timeout: 60_000 });
}

describe('bin/lowbit.js', () => {
  it('prints the summary table and exits 0, without the tfjs-node notice', () => {
    const r = lowbit(['summary', netDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^batch 1 \| table horowitz-45nm/);
    expect(r.stdout).toMatch(/\n\| conv {3}LowbitQuantConv2D {2}int4 {4}uint8 /);
    expect(r.stderr).not.toMatch(/tfjs-node|Hi, looks like/);
  });

  it('a bad path: exit code 1, one error line, no stack trace', () => {
    const r = lowbit(['export', 'no-such-dir', '--out', 'x.json']);
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('warning: @lowbit/'));
    expect(lines).toEqual(['error: <model-dir> = "no-such-dir" is invalid: no such file or directory']);
  });

  it("an unknown option: commander's error, exit code 1", () => {
    const r = lowbit(['summary', netDir, '--nope']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("error: unknown option '--nope'");
  });
});
