/**
 * Encode / decode throughput of the DQA activation format, in MB/s of float32 input.
 * Input: ReLU of a seeded normal, shape [64, 24, 24, 32] (LeNet conv1 activations of a batch),
 * N = 4, m = 3, half the channels important.
 *
 *   npm run bench -w packages/dqa-activations
 */
import { runBench } from '@lowbit/bench';
import { channelMaxAbs, decodeActivations, directStep, encode } from '../src/index.js';

const shape = [64, 24, 24, 32];
const C = shape[3];
const size = shape.reduce((a, b) => a * b, 1);
let seed = 12345;
const uniform = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
const values = Float32Array.from({ length: size }, () => Math.max(0, Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())));
const max = channelMaxAbs(values, C);
const scales = Array.from(max, (m) => directStep(m, 4));
const important = Array.from({ length: C / 2 }, (_, i) => 2 * i);
const input = { values, shape };
const layerParams = { bits: 4, extraBits: 3, scales, important, tableGranularity: 'layer' as const };
const channelParams = { ...layerParams, tableGranularity: 'channel' as const };
const directParams = { ...layerParams, important: [] };
const encodedLayer = encode(input, layerParams);
const encodedDirect = encode(input, directParams);

const result = await runBench(
  { name: 'dqa-codec', baseline: 'encode-dqa-layer-tables', rounds: 5, meta: { shape, bits: 4, extraBits: 3, important: important.length, inputMB: (4 * size) / 1e6, encodedBytes: encodedLayer.length, directBytes: encodedDirect.length } },
  [
    { name: 'encode-dqa-layer-tables', run: () => encode(input, layerParams) },
    { name: 'encode-dqa-channel-tables', run: () => encode(input, channelParams) },
    { name: 'encode-direct', run: () => encode(input, directParams) },
    { name: 'decode-dqa', run: () => decodeActivations(encodedLayer) },
    { name: 'decode-direct', run: () => decodeActivations(encodedDirect) },
  ],
);
console.log('\nThroughput (MB/s of float32 input, median):');
for (const v of result.variants) console.log(`  ${v.name.padEnd(28)} ${((4 * size) / 1e6 / (v.medianMs / 1000)).toFixed(1)} MB/s`);
