// One LeNet training step (32C5-MP2-64C5-MP2-512-10 'valid', batch 64, Adam, trainOnBatch) on
// lowbit's wasm backend with 1 and 2 threads, against PyTorch's CPU step on the same thread
// counts, and the WRPN 4-bit QAT twin against the float step, all in one run:
//
//   npm run bench -w packages/training-kernels [-- --rounds 8] [-- --steps 2] [-- --no-torch] [-- --threads 1,2]
//
// Each side runs in its own process (the wasm thread pool is fixed per process; PyTorch is a
// Python process), all started up front and idle but for their turn: a round asks every variant
// in turn (rotating the order) for `steps` timed steps, so machine load, which changes by the
// minute on a shared machine, hits every variant alike. Ratios are taken per round (this
// round's lowbit median over this round's torch median) and their median is reported, beside
// the ratio of the overall medians. The 1-minute load average is recorded per round.
//
// PyTorch: the bench installs nothing. It tries /usr/bin/python3, then python3 on the PATH, and
// uses the first that imports torch (Debian: `apt-get install python3-torch`); without one, the
// lowbit-only figures are still written and the torch ratios are null.
// Writes bench/results/lenet-step.json.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@lowbit/bench';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('rounds', '8'));
const stepsPerTurn = Number(arg('steps', '2'));
const threadCounts = arg('threads', '1,2').split(',').map(Number);
const withTorch = !process.argv.includes('--no-torch');

/** A child that answers one JSON line per request line. */
class Server {
  private pending: ((v: Record<string, unknown>) => void)[] = [];
  readonly ready: Promise<Record<string, unknown>>;
  constructor(
    readonly name: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
    const lines = createInterface({ input: child.stdout });
    this.ready = new Promise((resolve, reject) => {
      this.pending.push(resolve);
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${stderr}`)));
    });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return; // tfjs' and others' banners
      this.pending.shift()?.(JSON.parse(line));
    });
  }
  ask(request: object): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }
  stop(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

/** The first Python that imports torch: /usr/bin/python3 (Debian's python3-torch), then python3. */
function findTorch(): { python: string; torch: string } | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status === 0) return { python, torch: r.stdout.trim() };
  }
  return null;
}

interface Variant {
  name: string;
  side: 'lowbit' | 'torch';
  model: 'float' | 'qat';
  threads: number;
  server: Server;
  wallMs: number[][]; // per round
  cpuMs: number[][];
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round3 = (v: number) => +v.toFixed(3);

const loadAtStart = loadavg()[0];
const torch = withTorch ? findTorch() : null;
const servers: Server[] = [];
const variants: Variant[] = [];
const info: Record<string, unknown> = {};
for (const threads of threadCounts) {
  const child = spawn(process.execPath, [
    ...process.execArgv,
    join(here, 'step-worker.ts'),
    '--threads',
    String(threads),
  ]);
  const server = new Server(`lowbit-${threads}t`, child);
  servers.push(server);
  for (const model of ['float', 'qat'] as const) {
    variants.push({
      name: `lowbit ${model} ${threads}t`,
      side: 'lowbit',
      model,
      threads,
      server,
      wallMs: [],
      cpuMs: [],
    });
  }
}
if (torch) {
  for (const threads of threadCounts) {
    const child = spawn(torch.python, [join(here, 'torch_lenet.py'), '--threads', String(threads)]);
    const server = new Server(`torch-${threads}t`, child);
    servers.push(server);
    variants.push({
      name: `torch float ${threads}t`,
      side: 'torch',
      model: 'float',
      threads,
      server,
      wallMs: [],
      cpuMs: [],
    });
  }
}
// start one at a time: the children's start-up would otherwise compete
for (const s of servers) info[s.name] = await s.ready;
const torchLabel = torch ? `${torch.torch} (${torch.python})` : 'not found';
console.log(`LeNet step bench: ${rounds} rounds x ${stepsPerTurn} steps per variant; torch: ${torchLabel}`);
for (const s of servers) console.log(`  ${s.name}: ${JSON.stringify(info[s.name])}`);

const loads: number[] = [];
for (let r = 0; r < rounds; r++) {
  const order = variants.map((_, i) => variants[(i + r) % variants.length]);
  for (const v of order) {
    const reply = await v.server.ask(
      v.side === 'lowbit' ? { variant: v.model, steps: stepsPerTurn } : { steps: stepsPerTurn },
    );
    v.wallMs.push(reply.wallMs as number[]);
    v.cpuMs.push(reply.cpuMs as number[]);
  }
  loads.push(+loadavg()[0].toFixed(2));
  const line = variants.map((v) => `${v.name} ${median(v.wallMs[r]).toFixed(0)}`).join(', ');
  console.log(`round ${r + 1}/${rounds} (load ${loads[r]}): ${line} ms`);
}
for (const s of servers) s.stop();

const find = (side: string, model: string, threads: number) =>
  variants.find((v) => v.side === side && v.model === model && v.threads === threads);
/** Median over rounds of (a's round median / b's round median), and the ratio of overall medians. */
function ratio(a: Variant | undefined, b: Variant | undefined, of: 'wallMs' | 'cpuMs') {
  if (!a || !b) return null;
  const perRound = a[of].map((samples, r) => median(samples) / median(b[of][r]));
  return {
    pairedMedian: round3(median(perRound)),
    ofMedians: round3(median(a[of].flat()) / median(b[of].flat())),
    perRound: perRound.map(round3),
  };
}
const summary = variants.map((v) => ({
  name: v.name,
  side: v.side,
  model: v.model,
  threads: v.threads,
  medianMs: +median(v.wallMs.flat()).toFixed(1),
  minMs: +Math.min(...v.wallMs.flat()).toFixed(1),
  medianCpuMs: +median(v.cpuMs.flat()).toFixed(1),
  samplesMs: v.wallMs.flat().map((x) => +x.toFixed(1)),
}));
const ratios: Record<string, unknown> = {};
for (const t of threadCounts) {
  const key = `${t} thread${t > 1 ? 's' : ''}`;
  ratios[key] = {
    lowbitOverTorch: ratio(find('lowbit', 'float', t), find('torch', 'float', t), 'wallMs'),
    lowbitOverTorchCpuTime: ratio(find('lowbit', 'float', t), find('torch', 'float', t), 'cpuMs'),
    qatOverFloat: ratio(find('lowbit', 'qat', t), find('lowbit', 'float', t), 'wallMs'),
  };
}
const result = {
  name: 'lenet-step',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  meta: {
    model: 'LeNet 32C5-MP2-64C5-MP2-512-10 (valid)',
    qat: 'same net, WRPN 4-bit weights (every layer) and activations (inputs of layers 2-4), quant-core generic layers',
    batch: 64,
    optimizer: 'adam(1e-3)',
    lowbitStep: 'model.trainOnBatch on wasm SIMD with lowbit training kernels',
    torchStep: 'zero_grad, forward, cross_entropy, backward, Adam step, loss.item()',
    torch: torch ? { version: torch.torch, python: torch.python } : null,
    rounds,
    stepsPerTurn,
    workers: info,
    loadAverage1mAtStart: +loadAtStart.toFixed(2),
    loadAverage1mPerRound: loads,
  },
  goals: { lowbitOverTorch: '<= 1.0 (wall time, same thread count)', qatOverFloat: '<= 1.25' },
  ratios,
  variants: summary,
};
const dir = join(repoRoot(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'lenet-step.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.table(summary.map(({ samplesMs: _s, ...rest }) => rest));
for (const [k, v] of Object.entries(ratios)) {
  const r = v as Record<string, { pairedMedian: number } | null>;
  const fmt = (x: { pairedMedian: number } | null) => (x ? x.pairedMedian.toFixed(2) : 'n/a');
  console.log(
    `${k}: lowbit/torch ${fmt(r.lowbitOverTorch)} (CPU time ${fmt(r.lowbitOverTorchCpuTime)}), ` +
      `QAT/float ${fmt(r.qatOverFloat)}`,
  );
}
console.log(`wrote ${file}`);
