/**
 * The lowbit benchmark harness. Variants run interleaved (round-robin) in one process, so
 * machine noise hits all of them alike; each gets a median time per iteration, and every
 * variant's speed is reported as a ratio to the baseline. Results go to
 * `bench/results/<name>.json` at the repository root.
 *
 * ```ts
 * await runBench({ name: 'fake-quant-1m', baseline: 'composed' }, [
 *   { name: 'composed', run: () => { tf.tidy(() => { composed(x).dataSync(); }); } },
 *   { name: 'fused', run: () => { tf.tidy(() => { fused(x).dataSync(); }); } },
 * ]);
 * ```
 *
 * Return nothing from a `tf.tidy` inside a variant: tidy walks whatever it is given back, and
 * walking a 1M-element typed array costs more than many ops do.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface BenchVariant {
  name: string;
  /** One iteration. Make sure it waits for the result (dataSync / await data()). */
  run: () => unknown;
}

export interface BenchOptions {
  /** File name of the result (no extension). */
  name: string;
  /** The variant every ratio is taken against. */
  baseline: string;
  /** Untimed iterations per variant before timing. Default 2. */
  warmup?: number;
  /** Timed rounds; each round runs every variant `iterationsPerRound` times. Default 5. */
  rounds?: number;
  iterationsPerRound?: number;
  /** Anything worth recording beside the timings (backend, shapes, ...). */
  meta?: Record<string, unknown>;
  /** Output folder; default `<repo>/bench/results`. */
  outDir?: string;
  /** Print a table to stdout. Default true. */
  print?: boolean;
}

export interface VariantResult {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  /** baseline median / this median: > 1 means faster than the baseline. */
  speedupVsBaseline: number;
}

export interface BenchResult {
  name: string;
  baseline: string;
  date: string;
  node: string;
  cpu: string;
  cores: number;
  meta: Record<string, unknown>;
  variants: VariantResult[];
  file: string;
}

/** The repository root: the nearest folder above `start` holding nx.json. */
export function repoRoot(start = process.cwd()): string {
  let dir = resolve(start);
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) return resolve(start);
    dir = up;
  }
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times the variants round-robin and writes `bench/results/<name>.json`. */
export async function runBench(options: BenchOptions, variants: BenchVariant[]): Promise<BenchResult> {
  const { name, baseline, warmup = 2, rounds = 5, iterationsPerRound = 1, meta = {}, print = true } = options;
  if (!/^[\w.-]+$/.test(name))
    throw new Error(`bench name = ${JSON.stringify(name)} is invalid: use letters, digits, '.', '_' or '-'`);
  if (!variants.some((v) => v.name === baseline)) {
    throw new Error(
      `baseline = ${JSON.stringify(baseline)} is invalid: expected one of ${variants.map((v) => v.name).join(', ')}`,
    );
  }
  for (const v of variants) for (let i = 0; i < warmup; i++) await v.run();
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const t0 = performance.now();
      for (let i = 0; i < iterationsPerRound; i++) await v.run();
      samples.get(v.name)!.push((performance.now() - t0) / iterationsPerRound);
    }
  }
  const base = median(samples.get(baseline)!);
  const results: VariantResult[] = variants.map((v) => {
    const s = samples.get(v.name)!;
    const med = median(s);
    return {
      name: v.name,
      medianMs: med,
      minMs: Math.min(...s),
      maxMs: Math.max(...s),
      samplesMs: s,
      speedupVsBaseline: base / med,
    };
  });
  const outDir = options.outDir ?? join(repoRoot(), 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.json`);
  const result: BenchResult = {
    name,
    baseline,
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    meta,
    variants: results,
    file,
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (print) {
    console.log(`\n${name} (baseline ${baseline}; median of ${rounds} rounds x ${iterationsPerRound})`);
    console.table(
      results.map((r) => ({
        variant: r.name,
        'median ms': +r.medianMs.toFixed(3),
        'min ms': +r.minMs.toFixed(3),
        speedup: +r.speedupVsBaseline.toFixed(2),
      })),
    );
    console.log(`written ${file}`);
  }
  return result;
}

/**
 * Runs `bench('cpu')`, then imports the wasm backend (its registration is the import's side
 * effect), calls `onWasmLoaded` (e.g. to register wasm kernels) and runs `bench('wasm')`. If wasm
 * cannot load or run here, it says why and returns: a bench must not fail for want of wasm.
 *
 * ```ts
 * await benchCpuThenWasm(async (backend) => { await tf.setBackend(backend); await runBench(...); });
 * ```
 */
export async function benchCpuThenWasm(
  bench: (backend: 'cpu' | 'wasm') => Promise<void>,
  onWasmLoaded?: () => void,
): Promise<void> {
  await bench('cpu');
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    onWasmLoaded?.();
    await bench('wasm');
  } catch (e) {
    console.log(`wasm not measured: ${(e as Error).message}`);
  }
}
