/**
 * WRPN's cost claim ("2x wide at 4 bits costs about 0.5x of FP32 1x", Mishra et al. 2017), checked on
 * a LeNet-like net (32C5-MP2-64C5-MP2-512-10): fp32 at 1x against 2x-wide nets whose inner layers
 * use 4-bit weights and activations (first conv and last dense at 8 bits, or also at 4 bits).
 *
 *   npm run widening -w packages/hw-model            (= tsx scripts/widening-summary.ts)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitWrpnQuantizer, quantConv2d, quantDense } from '@lowbit/quant-core';
import { compareTotals, summary, type ModelSummary } from '../src/index.js';

tf.enableProdMode();
await tf.setBackend('cpu');

/** LeNet at `width` x the filters/units of the hidden layers; `inner`/`outer` bits, or float. */
function lenet(width: number, inner: number | null, outer: number | null): tfl.Sequential {
  const q = (bits: number | null, mode: 'weight' | 'activation') =>
    bits === null ? null : new LowbitWrpnQuantizer({ bits, mode });
  const wq = (b: number | null) => q(b, 'weight');
  const aq = (b: number | null) => q(b, 'activation');
  return tfl.sequential({
    layers: [
      quantConv2d({
        inputShape: [28, 28, 1],
        filters: 32 * width,
        kernelSize: 5,
        activation: 'relu',
        kernelQuantizer: wq(outer),
        inputQuantizer: aq(outer),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      quantConv2d({
        filters: 64 * width,
        kernelSize: 5,
        activation: 'relu',
        kernelQuantizer: wq(inner),
        inputQuantizer: aq(inner),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      quantDense({ units: 512 * width, activation: 'relu', kernelQuantizer: wq(inner), inputQuantizer: aq(inner) }),
      quantDense({ units: 10, kernelQuantizer: wq(outer), inputQuantizer: aq(outer) }),
    ],
  });
}

const baseline = summary(lenet(1, null, null));
const rows: [string, ModelSummary][] = [
  ['fp32 1x', baseline],
  ['w4a4 1x, first/last 8-bit', summary(lenet(1, 4, 8))],
  ['w4a4 2x, first/last 8-bit', summary(lenet(2, 4, 8))],
  ['w4a4 2x, all layers 4-bit', summary(lenet(2, 4, 4))],
  ['w4a4 3x, first/last 8-bit', summary(lenet(3, 4, 8))],
];
const b = baseline.totals;
const linear = (s: ModelSummary) =>
  s.layers.reduce((acc, r) => acc + r.macs * Math.max(r.weight?.bits ?? 0, r.input?.bits ?? 0), 0);
const cells = (label: string, s: ModelSummary) => {
  const r = compareTotals(s.totals, b);
  const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  return [
    label,
    f(s.totals.macs / b.macs),
    f(r.bitOps),
    f(linear(s) / linear(baseline)),
    f(r.paramBits),
    f(r.computePj),
    f(r.energyPj),
  ];
};
const head = [
  'net (vs fp32 1x)',
  'MACs',
  'bit-ops (b_w b_a)',
  'MACs x max(b_w, b_a)',
  'weight memory',
  'compute energy',
  'total energy',
];
console.log(`| ${head.join(' | ')} |`);
console.log(`| --- |${' ---: |'.repeat(head.length - 1)}`);
for (const [label, s] of rows) console.log(`| ${cells(label, s).join(' | ')} |`);
