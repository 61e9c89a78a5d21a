import { cpSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantizedTensor, quantizeModel, type QuantizeModelConfig, type QuantizedExport } from '@lowbit/quant-core';
import { loadModel } from '@lowbit/quant-core/node';
import { printSummary, summary } from '@lowbit/hw-model';
import { CLI_VERSION, runCli } from './program.js';
import type { QuantizedModelExport } from './commands/export.js';
import { captureIO, floatModel, quantizedModel, savedModel, tempDir, type CapturedIO } from './test-models.fixture.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
let work: string;
let netDir: string;
let floatDir: string;

beforeAll(async () => {
  netDir = await savedModel(quantizedModel());
  floatDir = await savedModel(floatModel());
  work = tempDir();
});

async function run(argv: string[], cwd = work): Promise<{ code: number; io: CapturedIO }> {
  const io = captureIO(cwd);
  const code = await runCli(argv, io);
  return { code, io };
}

/** stderr without the warnings about technique packages that are mid-port and fail to import. */
function errorLines(io: CapturedIO): string[] {
  return io.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: @lowbit/'));
}

/** A user error: exit code 1 and exactly one line `error: ...` on stderr, no stack trace. */
async function expectUserError(argv: string[], ...parts: Array<string | RegExp>): Promise<string> {
  const { code, io } = await run(argv);
  const lines = errorLines(io);
  expect(code).toBe(1);
  expect(lines, io.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(io.stderr).not.toMatch(/\n\s+at /);
  for (const p of parts) expect(lines[0]).toMatch(typeof p === 'string' ? new RegExp(escape(p)) : p);
  return lines[0]!;
}

/** A copy of a saved model directory (whatever files it holds) under `work`. */
function copyOf(dir: string, name: string): string {
  const to = join(work, name);
  cpSync(dir, to, { recursive: true });
  return to;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Cells of the table row whose first cell is `name`. */
function row(table: string, name: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(`| ${name} `));
  if (!line) throw new Error(`no row ${name} in\n${table}`);
  return line
    .slice(2, -2)
    .trim()
    .split(/\s{2,}/);
}

async function withModel<T>(dir: string, f: (m: tfl.LayersModel) => T | Promise<T>): Promise<T> {
  const m = await loadModel(dir);
  try {
    return await f(m);
  } finally {
    m.dispose();
  }
}

describe('lowbit summary', () => {
  it("prints hw-model's printSummary table of the saved model", async () => {
    const { code, io } = await run(['summary', netDir]);
    expect(code).toBe(0);
    const expected = await withModel(netDir, (m) => printSummary(m, { print: () => {} }));
    expect(io.stdout).toBe(`${expected}\n`);
    // Header: # 4-bit and # 32-bit params, Memory, then one MACs column per operand pair.
    expect(io.stdout).toMatch(/Weight {2}Input {2}Output {2}Arithmetic {2}# 4-bit {2}# 32-bit/);
    expect(row(io.stdout, 'conv')).toEqual([
      'conv',
      'LowbitQuantConv2D',
      'int4',
      'uint8',
      'uint4',
      'exact',
      '27',
      '3',
      '0.02',
      '432',
      '0',
      '0',
      '13,824',
      expect.any(String),
    ]);
    expect(row(io.stdout, 'fc').slice(0, 8)).toEqual([
      'fc',
      'LowbitQuantDense',
      'pow2-4',
      'uint4',
      'fp32',
      'exact',
      '192',
      '4',
    ]);
    expect(row(io.stdout, 'out').slice(0, 8)).toEqual(['out', 'Dense', 'fp32', 'fp32', 'fp32', 'exact', '0', '10']);
    // 432 = 4x4 outputs x 3 filters x 9 taps; 192 = 48 x 4; 8 = 4 x 2.
    expect(row(io.stdout, 'Total').slice(1, 7)).toEqual(['219', '17', '0.17', '432', '192', '8']);
  });

  it('--batch-size and --json print summary(model) as JSON', async () => {
    const { code, io } = await run(['summary', netDir, '--batch-size', '8', '--json', '--weight-memory', 'sram']);
    expect(code).toBe(0);
    const doc = JSON.parse(io.stdout);
    const expected = await withModel(netDir, (m) => summary(m, { batchSize: 8, weightMemory: 'sram' }));
    expect(doc).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(doc.batchSize).toBe(8);
    expect(doc.layers.map((l: { name: string; macs: number }) => [l.name, l.macs])).toEqual([
      ['conv', 8 * 432],
      ['flat', 0],
      ['fc', 8 * 192],
      ['out', 8 * 8],
    ]);
  });

  it('rejects bad option values naming the option, the value and what is allowed', async () => {
    await expectUserError(['summary', netDir, '--batch-size', '0'], "'--batch-size <n>'", "'0'", 'integer from 1 to');
    await expectUserError(['summary', netDir, '--batch-size', '2.5'], "'2.5'");
    await expectUserError(['summary', netDir, '--weight-memory', 'disk'], "'disk'", 'dram', 'sram');
    await expectUserError(['summary', netDir, '--frobnicate'], "unknown option '--frobnicate'");
    await expectUserError(['summary'], "missing required argument 'model-dir'");
  });

  it('summary, export and quantize leave no tensor behind', async () => {
    const config = writeConfig('leak.json', { default: { weightBits: 4, inputBits: 4 } });
    const commands = [
      ['summary', netDir],
      ['export', netDir, '--out', 'leak.json'],
      ['quantize', floatDir, '--config', config, '--out', 'leak-q', '--summary'],
    ];
    for (const argv of commands) expect((await run(argv)).code).toBe(0);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) for (const argv of commands) expect((await run(argv)).code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('bad model directories', () => {
  it('a missing directory, a file, a directory without model.json', async () => {
    await expectUserError(['summary', join(work, 'nope')], '<model-dir> = ', 'nope', 'no such file or directory');
    const file = join(work, 'file.txt');
    writeFileSync(file, 'x');
    await expectUserError(['summary', file], '<model-dir> = ', 'file.txt', 'not a directory');
    mkdirSync(join(work, 'empty'), { recursive: true });
    await expectUserError(['export', 'empty', '--out', 'e.json'], '<model-dir> = "empty"', 'holds no model.json');
  });

  it('a corrupt model.json and a truncated weights.bin', async () => {
    const corrupt = join(work, 'corrupt');
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'model.json'), '{"modelTopology": ');
    await expectUserError(['summary', corrupt], '<model-dir> "', 'model.json: is not valid JSON');
    writeFileSync(join(corrupt, 'model.json'), '{"format": "layers-model"}');
    await expectUserError(['summary', corrupt], 'model.json: has no modelTopology object');

    const truncated = copyOf(netDir, 'truncated');
    const weights = readdirSync(truncated).find((f) => f.endsWith('.bin'))!;
    truncateSync(join(truncated, weights), 10);
    const config = writeConfig('ok.json', { default: { weightBits: 4 } });
    await expectUserError(
      ['quantize', truncated, '--config', config, '--out', 'q'],
      `${weights}: `,
      /\b10\b/,
      /truncated/,
    );
  });

  it('a model.json naming a layer class nobody registered', async () => {
    const dir = copyOf(netDir, 'unknown-class');
    const json = readFileSync(join(dir, 'model.json'), 'utf8').replace('"LowbitQuantDense"', '"LowbitNoSuchLayer"');
    writeFileSync(join(dir, 'model.json'), json);
    await expectUserError(['summary', dir], 'tfjs could not build the model', 'LowbitNoSuchLayer');
  });
});

describe('lowbit export', () => {
  it("writes every quantized layer's exportQuantized() (codes, scales, zero points, bits, shape, bias)", async () => {
    const { code, io } = await run(['export', netDir, '--out', 'sub/net.json']);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(
      /^wrote sub\/net\.json: 2 quantized layers, 219 codes\n {2}skipped out \(Dense\): float layer/,
    );
    const doc = JSON.parse(readFileSync(join(work, 'sub/net.json'), 'utf8')) as QuantizedModelExport;
    expect(doc.format).toBe('lowbit-quantized-export');
    expect(doc.version).toBe(1);
    expect(doc.model).toBe('cli_test_net');
    expect(doc.layers.map((l) => [l.name, l.className, l.operation])).toEqual([
      ['conv', 'LowbitQuantConv2D', 'conv2d'],
      ['fc', 'LowbitQuantDense', 'dense'],
    ]);
    expect(doc.skipped).toEqual([{ name: 'out', className: 'Dense', reason: 'float layer (not a lowbit layer)' }]);

    const expected = await withModel(netDir, (m) =>
      ['conv', 'fc'].map((n) => (m.getLayer(n) as unknown as { exportQuantized(): QuantizedExport }).exportQuantized()),
    );
    for (const [i, e] of expected.entries()) {
      const k = doc.layers[i]!.kernel;
      expect(k.codes).toEqual(Array.from(e.kernel.codes));
      expect(k.shape).toEqual(e.kernel.shape);
      expect(k.bits).toBe(e.kernel.bits);
      expect(k.signed).toBe(e.kernel.signed);
      expect(k.encoding).toBe(e.kernel.encoding);
      expect(k.stepsPerOctave).toBe(e.kernel.stepsPerOctave);
      expect(k.axis).toBe(e.kernel.axis ?? null);
      expect(k.scale).toEqual(Array.from(e.kernel.scale));
      expect(k.zeroPoint).toEqual(Array.from(e.kernel.zeroPoint));
      expect(doc.layers[i]!.bias).toEqual(Array.from(e.bias!));
    }
    // The conv kernel: 4-bit uniform, symmetric, per output channel; the fc kernel: 4-bit pow2.
    expect(doc.layers[0]!.kernel).toMatchObject({
      shape: [3, 3, 1, 3],
      bits: 4,
      signed: true,
      encoding: 'linear',
      axis: 3,
    });
    expect(doc.layers[1]!.kernel).toMatchObject({ shape: [48, 4], bits: 4, encoding: 'pow2' });
    expect(doc.layers[0]!.kernel.codes!.every((c) => Number.isInteger(c) && c >= -7 && c <= 7)).toBe(true);
    // Not a terminal: one plain progress line per layer on stderr.
    expect(errorLines(io)).toEqual(['export 1/3 conv', 'export 2/3 fc', 'export 3/3 out']);
  });

  it('dequantizing the exported codes gives the kernel the layer computes with', async () => {
    await run(['export', netDir, '--out', 'deq.json']);
    const doc = JSON.parse(readFileSync(join(work, 'deq.json'), 'utf8')) as QuantizedModelExport;
    const k = doc.layers[0]!.kernel;
    const q = new QuantizedTensor({ ...k, codes: Int32Array.from(k.codes!), axis: k.axis ?? undefined });
    await withModel(netDir, (m) => {
      const layer = m.getLayer('conv') as unknown as { kernelQuantizer: { call(x: tf.Tensor, o: object): tf.Tensor } };
      const fake = tf.tidy(() =>
        layer.kernelQuantizer.call(m.getLayer('conv').getWeights()[0]!, { training: false }).dataSync(),
      );
      const deq = q.dequantize();
      for (let i = 0; i < deq.length; i++) expect(deq[i]).toBeCloseTo(fake[i]!, 6);
    });
  });

  it('--codes lbqt writes QuantizedTensor.toBytes() as base64, readable with fromBytes', async () => {
    expect((await run(['export', netDir, '--out', 'packed.json', '--codes', 'lbqt'])).code).toBe(0);
    const doc = JSON.parse(readFileSync(join(work, 'packed.json'), 'utf8')) as QuantizedModelExport;
    const plain = JSON.parse(readFileSync(join(work, 'deq.json'), 'utf8')) as QuantizedModelExport;
    for (const [i, l] of doc.layers.entries()) {
      expect(l.kernel.codes).toBeUndefined();
      const q = QuantizedTensor.fromBytes(new Uint8Array(Buffer.from(l.kernel.lbqt!, 'base64')));
      expect(Array.from(q.codes)).toEqual(plain.layers[i]!.kernel.codes);
      expect(Array.from(q.scale)).toEqual(plain.layers[i]!.kernel.scale);
    }
    await expectUserError(
      ['export', netDir, '--out', 'x.json', '--codes', 'hex'],
      "'--codes <format>'",
      "'hex'",
      'array, lbqt',
    );
  });

  it('a float model exports no layer, with a warning', async () => {
    const { code, io } = await run(['export', floatDir, '--out', 'float.json']);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/^wrote float\.json: 0 quantized layers, 0 codes/);
    expect(io.stderr).toMatch(/warning: no layer of this model has a kernel quantizer/);
  });

  it('--out errors', async () => {
    await expectUserError(['export', netDir], "required option '--out <file.json>' not specified");
    mkdirSync(join(work, 'a-dir'), { recursive: true });
    await expectUserError(['export', netDir, '--out', 'a-dir'], '--out = "a-dir"', 'is a directory');
  });
});

function writeConfig(name: string, config: unknown): string {
  const path = join(work, 'configs', name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

describe('lowbit quantize', () => {
  const config: QuantizeModelConfig = { default: { weightBits: 4, inputBits: 4 }, dense_b: null };

  it('converts with quantizeModel and saves a model that loads and predicts as the in-memory conversion', async () => {
    const cfg = writeConfig('w4a4.json', config);
    const { code, io } = await run(['quantize', floatDir, '--config', cfg, '--out', 'w4a4']);
    expect(code).toBe(0);
    expect(io.stdout).toBe(
      '  conv_f: Conv2D -> LowbitQuantConv2D\n  dense_a: Dense -> LowbitQuantDense\n' +
        'saved w4a4: 2 layers quantized\n',
    );
    const q = await loadModel(join(work, 'w4a4'));
    const float = await loadModel(floatDir);
    const reference = await quantizeModel(float, config);
    try {
      expect(q.layers.map((l) => [l.name, l.getClassName()])).toEqual([
        ['conv_f', 'LowbitQuantConv2D'],
        ['flat_f', 'Flatten'],
        ['dense_a', 'LowbitQuantDense'],
        ['dense_b', 'Dense'],
      ]);
      const precision = (
        q.getLayer('dense_a') as unknown as { lowbitPrecision(): { weight: object; input: object } }
      ).lowbitPrecision();
      expect(precision.weight).toMatchObject({ kind: 'int', bits: 4, signed: true });
      expect(precision.input).toMatchObject({ kind: 'int', bits: 4 });
      // dense_b (null in the config) keeps its float weights bit for bit.
      expect(q.getLayer('dense_b').getWeights()[0]!.dataSync()).toEqual(
        float.getLayer('dense_b').getWeights()[0]!.dataSync(),
      );
      const x = tf.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 11);
      const [a, b] = [q.predict(x) as tf.Tensor, reference.predict(x) as tf.Tensor];
      expect(a.dataSync()).toEqual(b.dataSync());
      tf.dispose([x, a, b]);
    } finally {
      for (const m of [q, float, reference]) m.dispose();
    }
  });

  it('--summary prints the cost table of the result', async () => {
    const { code, io } = await run([
      'quantize',
      floatDir,
      '--config',
      writeConfig('w4.json', { Dense: { weightBits: 4 } }),
      '--out',
      'w4',
      '--summary',
    ]);
    expect(code).toBe(0);
    expect(row(io.stdout, 'dense_a').slice(0, 3)).toEqual(['dense_a', 'LowbitQuantDense', 'int4']);
    expect(row(io.stdout, 'conv_f').slice(0, 3)).toEqual(['conv_f', 'Conv2D', 'fp32']);
  });

  it('bad config files and keys: one line naming --config, the entry, the value and what is allowed', async () => {
    const args = (cfg: string) => ['quantize', floatDir, '--config', cfg, '--out', 'never'];
    await expectUserError(args('missing.json'), '--config = "missing.json"', 'no such file');
    await expectUserError(args(writeConfig('bad.json', '{"default": ')), '--config = ', 'bad.json', 'not valid JSON');
    await expectUserError(
      args(writeConfig('array.json', '[1, 2]')),
      'array.json',
      'expected a JSON object keyed by layer name',
    );
    await expectUserError(
      args(writeConfig('key.json', { dense_9: { weightBits: 4 } })),
      '--config "',
      'key.json": config.dense_9 = {"weightBits":4} is invalid',
      'no layer or layer class of that name in the model; layers: conv_f, flat_f, dense_a, dense_b',
    );
    await expectUserError(
      args(writeConfig('field.json', { default: { bits: 4 } })),
      'config.default.bits = 4 is invalid: unknown key; expected one of',
    );
    await expectUserError(
      args(writeConfig('bits.json', { default: { weightBits: 40 } })),
      'config.default.weightBits = 40',
      'from 2 to 24',
    );
    await expectUserError(
      args(writeConfig('alias.json', { default: { kernelQuantizer: 'nope' } })),
      'kernelQuantizer = "nope"',
      'unknown quantizer; known:',
    );
    const line = await expectUserError(
      ['quantize', floatDir, '--config', writeConfig('c.json', config), '--out', floatDir],
      '--out = ',
      'is the input model directory',
    );
    expect(line).toContain(floatDir);
    writeFileSync(join(work, 'a-file'), 'x');
    await expectUserError(
      ['quantize', floatDir, '--config', writeConfig('c.json', config), '--out', 'a-file'],
      '--out = "a-file"',
      'not a directory',
    );
    await expectUserError(['quantize', floatDir, '--out', 'x'], "required option '--config <file.json>' not specified");
  });
});

describe('lowbit suite', () => {
  it('outside a checkout: says the suite runs from a clone', async () => {
    const line = await expectUserError(['suite', '--quick']);
    expect(line).toContain('not inside one');
    expect(line).toContain('npm ci && npm start');
  });

  it('inside the checkout: npm run build, then npm run start -w tools/suite -- <args> in the root', async () => {
    const io = captureIO(join(repoRoot, 'packages/cli/src'));
    expect(await runCli(['suite', '--quick', '--techniques', 'float,wrpn'], io)).toBe(0);
    expect(io.spawned).toEqual([
      { command: 'npm', args: ['run', 'build', '--silent'], cwd: repoRoot },
      {
        command: 'npm',
        args: ['run', 'start', '-w', 'tools/suite', '--', '--quick', '--techniques', 'float,wrpn'],
        cwd: repoRoot,
      },
    ]);
  });

  it('--no-build, arguments after --, and the exit code of the suite', async () => {
    const io = captureIO(repoRoot, (r) => (r.args.includes('start') ? 3 : 0));
    expect(await runCli(['suite', '--no-build', '--', '--help'], io)).toBe(3);
    expect(io.spawned).toEqual([
      { command: 'npm', args: ['run', 'start', '-w', 'tools/suite', '--', '--help'], cwd: repoRoot },
    ]);
  });

  it('a failing build stops before the suite', async () => {
    const io = captureIO(repoRoot, () => 2);
    expect(await runCli(['suite'], io)).toBe(2);
    expect(io.spawned).toHaveLength(1);
    expect(io.stderr).toMatch(/^error: npm run build failed with exit code 2/);
  });
});

describe('help and version', () => {
  it.each(['summary', 'export', 'quantize', 'suite'])('lowbit %s --help', async (command) => {
    const { code, io } = await run([command, '--help']);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(new RegExp(`^Usage: lowbit ${command} `));
  });

  it('lowbit --help lists the commands; --version prints the version; no command prints help and fails', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['summary', 'export', 'quantize', 'suite'])
      expect(help.io.stdout).toMatch(new RegExp(`\\n {2}${c} `));
    const version = await run(['--version']);
    expect(version.io.stdout).toBe(`${CLI_VERSION}\n`);
    const none = await run([]);
    expect(none.code).toBe(1);
    expect(none.io.stderr).toMatch(/^Usage: lowbit/);
    await expectUserError(['frobnicate'], "unknown command 'frobnicate'");
  });
});
