/**
 * Throughput and size of the DQA activation codec, side by side with node's zlib (deflateSync /
 * inflateSync at the default level) on the same data, all in one process with the variants
 * interleaved round-robin (tools/bench), so machine load hits them alike.
 *
 * Input: ReLU of a seeded normal, shape [64, 24, 24, 32] (LeNet conv1 activations of a batch),
 * N = 4, m = 3, half the channels important (16 of 32).
 *
 * "MB" is 10^6 bytes of raw activation codes: one byte per activation element, its quantized
 * integer (q, or q+ = (code << m) | k for an important channel; N + m = 7 bits here), i.e. what
 * an uncompressed 8-bit store of the quantized activations holds. Encode MB/s = elements / encode
 * time (float32 activations in, stream out: quantization included); decode MB/s = elements /
 * decode time (stream in, float32 activations out). zlib compresses exactly those raw code bytes
 * (an Int8Array per element), so its MB/s count the same bytes: deflate = raw bytes in, inflate =
 * raw bytes out. The previous (v1, bit-by-bit) codec is timed against ours in a second
 * interleaved run (bench/results/dqa-codec-v1.json), from its test fixture.
 *
 *   npm run bench -w packages/dqa-activations
 *   (= tsx --conditions=@lowbit/source bench/codec.bench.ts: workspace packages from source, no build)
 *
 * 'decode-layer-tables-into' decodes the same stream into one reused Float32Array
 * (`decodeActivations(bytes, out)`), the way a stream of same-shaped batches decodes.
 *
 * Besides the wall-clock medians of tools/bench it records each variant's median CPU time
 * (process.cpuUsage), which the other jobs on a shared machine do not inflate.
 *
 * Writes bench/results/dqa-codec.json (and dqa-codec-v1.json) at the repository root.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { deflateSync, inflateSync } from 'node:zlib';
import { runBench } from '@lowbit/bench';
import { channelMaxAbs } from '@lowbit/quant-core';
import { decodeActivations, encode } from '../src/codec.js';
import { directStep } from '../src/direct-quant.js';
import { checkDqaParams } from '../src/dqa-params.js';
import { dqaQuantizeValues } from '../src/dqa-quantize.js';
import { referenceDecode, referenceEncode } from '../src/codec-v1-reference.fixture.js';

const shape = [64, 24, 24, 32];
const C = shape[3];
const size = shape.reduce((a, b) => a * b, 1);
let seed = 12345;
const uniform = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
const values = Float32Array.from({ length: size }, () =>
  Math.max(0, Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())),
);
const max = channelMaxAbs(values, C);
const scales = Array.from(max, (m) => directStep(m, 4));
const important = Array.from({ length: C / 2 }, (_, i) => 2 * i);
const input = { values, shape };
const layerParams = { bits: 4, extraBits: 3, scales, important, tableGranularity: 'layer' as const };
const channelParams = { ...layerParams, tableGranularity: 'channel' as const };
const directParams = { ...layerParams, important: [] };

// The raw activation codes: one byte per element (q, or q+ for important channels).
const p = checkDqaParams(layerParams);
const quantized = dqaQuantizeValues(values, p);
const raw = new Int8Array(size);
for (let i = 0, e = 0; i < size; i++)
  raw[i] = p.isImportant[i % C] ? (quantized.codes[i] << p.extraBits) | quantized.errors[e++] : quantized.codes[i];
const rawBytes = new Uint8Array(raw.buffer);

const encodedLayer = encode(input, layerParams);
const encodedChannel = encode(input, channelParams);
const encodedDirect = encode(input, directParams);
const deflated = deflateSync(rawBytes);

// Check before timing: same bytes and values as the v1 codec, lossless zlib round trip.
const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
if (!same(encodedLayer, referenceEncode(values, shape, layerParams)))
  throw new Error('encode differs from the v1 codec');
if (!same(decodeActivations(encodedLayer).values, referenceDecode(encodedLayer).values))
  throw new Error('decode differs from the v1 codec');
if (!same(decodeActivations(encodedLayer).values, quantized.output))
  throw new Error('decode differs from the quantizer output');
if (!same(inflateSync(deflated), rawBytes)) throw new Error('zlib round trip failed');

// decodeActivations(bytes, out): the same decode into one reused array, as a stream of batches
// would run; the difference to 'decode-layer-tables' is the cost of a fresh 4.7 MB output.
const reusedOut = new Float32Array(size);
if (!same(decodeActivations(encodedLayer, reusedOut).values, quantized.output))
  throw new Error('decode into a given array differs from the quantizer output');

const loadBefore = loadavg();
const variants = [
  { name: 'encode-layer-tables', run: () => encode(input, layerParams) },
  { name: 'encode-channel-tables', run: () => encode(input, channelParams) },
  { name: 'encode-direct', run: () => encode(input, directParams) },
  { name: 'decode-layer-tables', run: () => decodeActivations(encodedLayer) },
  { name: 'decode-layer-tables-into', run: () => decodeActivations(encodedLayer, reusedOut) },
  { name: 'decode-channel-tables', run: () => decodeActivations(encodedChannel) },
  { name: 'decode-direct', run: () => decodeActivations(encodedDirect) },
  { name: 'zlib-deflateSync', run: () => deflateSync(rawBytes) },
  { name: 'zlib-inflateSync', run: () => inflateSync(deflated) },
];
const result = await runBench(
  {
    name: 'dqa-codec',
    baseline: 'zlib-deflateSync',
    warmup: 3,
    rounds: 9,
    iterationsPerRound: 3,
    meta: {
      shape,
      bits: 4,
      extraBits: 3,
      important: important.length,
      elements: size,
      rawCodeBytes: size,
      float32Bytes: 4 * size,
    },
  },
  variants,
);
// The same variants timed by the process's CPU time (process.cpuUsage: user + system, all threads,
// GC included), interleaved the same way: on a machine shared with other jobs, wall-clock medians
// include the time other processes hold the cores, CPU time does not (cache and memory contention
// with them still counts).
const cpuRounds = 21;
const cpuIterations = 3;
const cpuSamples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (let r = 0; r < cpuRounds; r++) {
  for (const v of variants) {
    const u0 = process.cpuUsage();
    for (let i = 0; i < cpuIterations; i++) v.run();
    const u = process.cpuUsage(u0);
    cpuSamples.get(v.name)!.push((u.user + u.system) / 1000 / cpuIterations);
  }
}
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpuMedianMs = Object.fromEntries([...cpuSamples].map(([k, xs]) => [k, +medianOf(xs).toFixed(3)]));
const cpuMinMs = Object.fromEntries([...cpuSamples].map(([k, xs]) => [k, +Math.min(...xs).toFixed(3)]));
// The first codec in its own interleaved run (written to dqa-codec-v1.json): its garbage (it
// allocates far more) would otherwise be collected during the other variants' timings.
const v1 = await runBench(
  {
    name: 'dqa-codec-v1',
    baseline: 'v1-encode-layer-tables',
    warmup: 2,
    rounds: 7,
    iterationsPerRound: 2,
    meta: { shape, elements: size },
  },
  [
    { name: 'encode-layer-tables', run: () => encode(input, layerParams) },
    { name: 'decode-layer-tables', run: () => decodeActivations(encodedLayer) },
    { name: 'v1-encode-layer-tables', run: () => referenceEncode(values, shape, layerParams) },
    { name: 'v1-decode-layer-tables', run: () => referenceDecode(encodedLayer) },
  ],
);
const loadAfter = loadavg();

const mbpsOf = (r: typeof result, name: string) =>
  size / 1e6 / (r.variants.find((v) => v.name === name)!.medianMs / 1000);
const v1Names = ['v1-encode-layer-tables', 'v1-decode-layer-tables'];
const mbps = (name: string) => (v1Names.includes(name) ? mbpsOf(v1, name) : mbpsOf(result, name));
const throughput = Object.fromEntries(
  [...result.variants.map((v) => v.name), ...v1Names].map((name) => [name, +mbps(name).toFixed(1)]),
);
const sizes = {
  rawCodeBytes: size,
  dqaLayerTables: encodedLayer.length,
  dqaChannelTables: encodedChannel.length,
  dqaDirect: encodedDirect.length,
  zlibDeflate: deflated.length,
};
const cpuThroughput = Object.fromEntries(
  Object.entries(cpuMedianMs).map(([k, ms]) => [k, +(size / 1e6 / (ms / 1000)).toFixed(1)]),
);
const summary = {
  ...result,
  meta: {
    ...result.meta,
    unit: 'MB = 10^6 raw activation code bytes (one byte per element: q, or q+ = (code << m) | k for important channels); encode: float32 in, stream out; decode: stream in, float32 out; zlib: the raw code bytes in (deflate) or out (inflate)',
    loadAverage1mBefore: +loadBefore[0].toFixed(2),
    loadAverage1mAfter: +loadAfter[0].toFixed(2),
  },
  throughputMBps: throughput,
  cpuTime: {
    how: `process.cpuUsage (user + system) per iteration, median of ${cpuRounds} interleaved rounds x ${cpuIterations}`,
    medianMs: cpuMedianMs,
    minMs: cpuMinMs,
    throughputMBps: cpuThroughput,
  },
  float32ThroughputMBps: Object.fromEntries(Object.entries(throughput).map(([k, v]) => [k, +(4 * v).toFixed(1)])),
  // From the dqa-codec-v1 run, where both codecs were interleaved with each other.
  speedupVsV1: {
    encode: +(mbpsOf(v1, 'encode-layer-tables') / mbpsOf(v1, 'v1-encode-layer-tables')).toFixed(2),
    decode: +(mbpsOf(v1, 'decode-layer-tables') / mbpsOf(v1, 'v1-decode-layer-tables')).toFixed(2),
  },
  sizes,
  bitsPerActivation: Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, +((8 * v) / size).toFixed(3)])),
};
writeFileSync(result.file, `${JSON.stringify(summary, null, 2)}\n`);

console.log(
  `\nMB/s of raw activation codes (1 byte per element, ${(size / 1e6).toFixed(3)} MB), median wall clock and median CPU time; load average ${loadBefore[0].toFixed(2)} -> ${loadAfter[0].toFixed(2)}:`,
);
console.table(
  [
    ['DQA (layer tables)', 'encode-layer-tables', 'decode-layer-tables', encodedLayer.length],
    [
      'DQA (layer tables), decoded into a reused array',
      'encode-layer-tables',
      'decode-layer-tables-into',
      encodedLayer.length,
    ],
    ['DQA (channel tables)', 'encode-channel-tables', 'decode-channel-tables', encodedChannel.length],
    ['direct N-bit (same format)', 'encode-direct', 'decode-direct', encodedDirect.length],
    [
      'DQA v1 codec (layer tables; separate run)',
      'v1-encode-layer-tables',
      'v1-decode-layer-tables',
      encodedLayer.length,
    ],
    ['zlib deflate/inflate of the raw codes', 'zlib-deflateSync', 'zlib-inflateSync', deflated.length],
  ].map(([what, enc, dec, bytes]) => ({
    codec: what,
    'encode MB/s': +mbps(enc as string).toFixed(1),
    'decode MB/s': +mbps(dec as string).toFixed(1),
    'encode MB/s (CPU time)': cpuThroughput[enc as string] ?? '-',
    'decode MB/s (CPU time)': cpuThroughput[dec as string] ?? '-',
    bytes,
    'bits/activation': +((8 * (bytes as number)) / size).toFixed(3),
  })),
);
console.log(`written ${result.file}`);
