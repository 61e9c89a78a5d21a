/**
 * `npm run fuzz`: runs every `*.fuzz.test.ts` under packages/ with vitest and
 * LOWBIT_FUZZ_RUNS=100000 (each fuzz test reads the number of cases per property from it; in
 * `npm test` they run their default, 1000), then prints the cases per decoder.
 *
 * A fuzz test reports its counts by appending one JSON line per decoder to the file named by
 * LOWBIT_FUZZ_REPORT: `{ "decoder": "...", "file": "...", "cases": n, "decoded": n, "rejected": n }`
 * (extra numeric fields are printed too). Files that do not report are listed with their tests
 * and the number of cases each property was asked for.
 *
 * ```sh
 * npm run fuzz                          # 100,000 cases per property, every fuzz file
 * npm run fuzz -- --runs 5000           # fewer
 * npm run fuzz -- --runs 5000 bitpack   # only fuzz files whose path contains "bitpack"
 * npm run fuzz -- --time-limit 1800     # give up (and fail) after 30 minutes (default 60)
 * ```
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

function parseArgs(argv: string[]): { runs: number; timeLimitS: number; filters: string[] } {
  let runs = 100_000;
  let timeLimitS = 3600;
  const filters: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = Number(inline ?? argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${flag} needs a positive integer, got ${inline ?? argv[i]}`);
      return v;
    };
    if (flag === '--runs') runs = value();
    else if (flag === '--time-limit') timeLimitS = value();
    else if (arg.startsWith('-'))
      throw new Error(`unknown option ${arg} (expected --runs N, --time-limit SECONDS, path filters)`);
    else filters.push(arg);
  }
  return { runs, timeLimitS, filters };
}

/** Every *.fuzz.test.ts under packages/ (outside node_modules and dist). */
function fuzzFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fuzzFiles(path, out);
    else if (entry.name.endsWith('.fuzz.test.ts')) out.push(path);
  }
  return out;
}

interface Report {
  decoder: string;
  file?: string;
  cases: number;
  [key: string]: unknown;
}

interface JsonResults {
  testResults?: Array<{
    name: string;
    status: string;
    assertionResults: Array<{ title: string; status: string; duration?: number }>;
  }>;
}

const count = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<number> {
  const { runs, timeLimitS, filters } = parseArgs(process.argv.slice(2));
  const files = fuzzFiles(join(root, 'packages'))
    .map((f) => relative(root, f))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) {
    console.error(
      'no *.fuzz.test.ts files found under packages/' + (filters.length ? ` matching ${filters.join(', ')}` : ''),
    );
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'lowbit-fuzz-'));
  const reportFile = join(work, 'report.jsonl');
  const jsonFile = join(work, 'vitest.json');
  console.log(`fuzz: ${files.length} file(s), LOWBIT_FUZZ_RUNS=${count(runs)}, time limit ${timeLimitS} s`);
  for (const f of files) console.log(`  ${f}`);

  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const args = [
    vitest,
    'run',
    ...files,
    '--testTimeout=86400000',
    '--hookTimeout=600000',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${jsonFile}`,
  ];
  const started = Date.now();
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, LOWBIT_FUZZ_RUNS: String(runs), LOWBIT_FUZZ_REPORT: reportFile },
    });
    const timer = setTimeout(() => {
      console.error(`fuzz: time limit of ${timeLimitS} s reached: a hang? killing vitest`);
      child.kill('SIGKILL');
    }, timeLimitS * 1000);
    child.on('close', (c, signal) => {
      clearTimeout(timer);
      done(c ?? (signal ? 1 : 0));
    });
  });
  const seconds = (Date.now() - started) / 1000;

  const reports: Report[] = existsSync(reportFile)
    ? readFileSync(reportFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => JSON.parse(l) as Report)
    : [];
  const results: JsonResults = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonResults) : {};

  // One row per decoder (a decoder reported by several workers is summed).
  const byDecoder = new Map<string, Report>();
  for (const r of reports) {
    const seen = byDecoder.get(r.decoder);
    if (!seen) byDecoder.set(r.decoder, { ...r });
    else for (const [k, v] of Object.entries(r)) if (typeof v === 'number') seen[k] = ((seen[k] as number) ?? 0) + v;
  }
  console.log(
    `\nfuzz: cases per decoder (LOWBIT_FUZZ_RUNS=${count(runs)} per property, ${seconds.toFixed(0)} s in all)`,
  );
  for (const r of byDecoder.values()) {
    const extra = Object.entries(r)
      .filter(([k, v]) => typeof v === 'number' && k !== 'cases')
      .map(([k, v]) => `${k} ${count(v as number)}`)
      .join(', ');
    console.log(`  ${r.decoder.padEnd(52)} ${count(r.cases).padStart(9)} cases  (${extra})`);
  }
  const reportedFiles = new Set(
    reports
      .map((r) => r.file)
      .filter(Boolean)
      .map((f) => relative(root, f!)),
  );
  for (const t of results.testResults ?? []) {
    const file = relative(root, t.name);
    if (reportedFiles.has(file)) continue;
    console.log(
      `  ${file}: counts not reported (no LOWBIT_FUZZ_REPORT line); each property was asked for ${count(runs)} cases:`,
    );
    for (const a of t.assertionResults)
      console.log(`    ${a.status.padEnd(7)} ${a.title} (${((a.duration ?? 0) / 1000).toFixed(1)} s)`);
  }
  const failed = (results.testResults ?? []).flatMap((t) =>
    t.assertionResults.filter((a) => a.status === 'failed').map((a) => `${relative(root, t.name)} > ${a.title}`),
  );
  if (failed.length > 0) console.log(`\nfuzz: ${failed.length} failed:\n  ${failed.join('\n  ')}`);
  rmSync(work, { recursive: true, force: true });
  return code;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`fuzz: ${e.message}`);
    process.exit(1);
  },
);
