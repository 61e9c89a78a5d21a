import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCpuThenWasm, runBench } from './index.js';

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('runBench', () => {
  it('runs variants round-robin and reports ratios to the baseline in JSON', async () => {
    const order: string[] = [];
    const outDir = mkdtempSync(join(tmpdir(), 'bench-'));
    const result = await runBench({ name: 'unit', baseline: 'slow', warmup: 0, rounds: 3, outDir, print: false }, [
      {
        name: 'slow',
        run: () => {
          order.push('slow');
          spin(4);
        },
      },
      {
        name: 'fast',
        run: () => {
          order.push('fast');
          spin(1);
        },
      },
    ]);
    expect(order).toEqual(['slow', 'fast', 'slow', 'fast', 'slow', 'fast']);
    const onDisk = JSON.parse(readFileSync(join(outDir, 'unit.json'), 'utf8'));
    expect(onDisk.variants.map((v: { name: string }) => v.name)).toEqual(['slow', 'fast']);
    expect(result.variants[0].speedupVsBaseline).toBe(1);
    expect(result.variants[1].speedupVsBaseline).toBeGreaterThan(1);
  });

  it('rejects an unknown baseline and an unsafe name', async () => {
    await expect(
      runBench({ name: 'x', baseline: 'nope', print: false }, [{ name: 'a', run: () => 0 }]),
    ).rejects.toThrow(/baseline = "nope" is invalid: expected one of a/);
    await expect(
      runBench({ name: '../x', baseline: 'a', print: false }, [{ name: 'a', run: () => 0 }]),
    ).rejects.toThrow(/bench name/);
  });
});

describe('benchCpuThenWasm', () => {
  it('runs cpu, then wasm after the hook; a wasm failure is reported, not thrown', async () => {
    const calls: string[] = [];
    await benchCpuThenWasm(
      async (b) => void calls.push(b),
      () => calls.push('hook'),
    );
    expect(calls).toEqual(['cpu', 'hook', 'wasm']);
    const logged: string[] = [];
    const log = console.log;
    console.log = (m: string) => void logged.push(m);
    try {
      await benchCpuThenWasm(async (b) => {
        if (b === 'wasm') throw new Error('no wasm here');
      });
    } finally {
      console.log = log;
    }
    expect(logged).toEqual(['wasm not measured: no wasm here']);
    await expect(
      benchCpuThenWasm(async () => {
        throw new Error('cpu broke');
      }),
    ).rejects.toThrow('cpu broke');
  });
});
