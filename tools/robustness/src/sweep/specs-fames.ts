/**
 * Spec tables of @lowbit/fames-appmul: its main entry and its Node entry
 * (`@lowbit/fames-appmul/node`, the file loaders, swept on files written to a temp folder here).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as fames from '@lowbit/fames-appmul';
import { layerInstances } from './specs-quant-core.js';
import { ramp } from './fixtures.js';
import type { BadCase, PackageSpecs } from './spec.js';

const wQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4 } };
const aQ = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };
const mulName = 'trunc3_a4u_w4s';
const u2 = () => ({ bits: 2, signed: false });
const u4 = () => ({ bits: 4, signed: false });
const s4 = () => ({ bits: 4, signed: true });
const mul = () => fames.truncatedMultiplier({ a: u4(), w: s4(), columns: 3 });
const exact44 = () => fames.exactMultiplier({ a: u4(), w: s4() });
const exact22Table = () => Int32Array.from({ length: 16 }, (_, i) => (i >> 2) * (i & 3));

/** Integer codes in `[lo, hi]`, int32. */
const codes = (shape: number[], lo: number, hi: number) => {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Int32Array.from({ length: size }, (_, i) => lo + ((i * 5) % (hi - lo + 1))),
    shape,
    'int32',
  );
};
const aCodes = (shape: number[]) => codes(shape, 0, 15);
const wCodes = (shape: number[]) => codes(shape, -8, 7);
const attrs = () => ({ table: mul().table, bitsA: 4, bitsW: 4, aMin: 0, aMax: 15, wMin: -8, wMax: 7 });

const denseLayer = () => fames.appMulDense({ units: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mulName });
const net = () =>
  tfl.sequential({
    layers: [
      fames.appMulDense({ units: 3, inputShape: [4], inputQuantizer: aQ, kernelQuantizer: wQ, name: 'fc1' }),
      fames.appMulDense({ units: 2, inputQuantizer: aQ, kernelQuantizer: wQ, name: 'fc2' }),
    ],
  });
const builtDense = () => {
  const layer = denseLayer();
  tf.dispose(layer.apply(ramp([2, 4])) as tf.Tensor);
  return layer;
};
const meanSquare = (y: tf.Tensor) => tf.mean(tf.square(y)) as tf.Scalar;
const gaLayers = (model: tfl.Sequential) =>
  model.layers.map((layer) => ({ layer, multipliers: [exact44(), mul()], multiplications: 12 }));

const counting = () =>
  fames.denseCountingMatrix(
    aCodes([2, 3]) as tf.Tensor2D,
    wCodes([3, 2]) as tf.Tensor2D,
    ramp([2, 2]) as tf.Tensor2D,
    { a: u4(), w: s4() },
    0.5,
    {
      perSample: true,
    },
  );
const selectionLayers = () => [
  {
    options: [
      { energy: 10, loss: 0 },
      { energy: 6, loss: 0.02 },
    ],
  },
  {
    options: [
      { energy: 8, loss: 0 },
      { energy: 5, loss: 0.05 },
    ],
  },
];
const lutOptions = () => ({
  name: 'mine',
  a: u4(),
  w: s4(),
  elementBytes: 2 as const,
  elementSigned: true,
  order: 'a-major' as const,
  energyPj: 0.01,
  energySource: 'user' as const,
  family: 'lut',
  params: { note: 1 },
  checkLayout: true,
});
const lutBytes = () => fames.serializeLut(mul(), 2, true, 'a-major');
let evoBytes: Uint8Array | null = null;
const evoApproxBytes = () =>
  (evoBytes ??= fames.serializeLut(
    fames.exactMultiplier({ a: { bits: 8, signed: false }, w: { bits: 8, signed: false } }),
    2,
    false,
  )).slice();

// The Node loaders read these (written once per test process).
const folder = mkdtempSync(join(tmpdir(), 'lowbit-sweep-fames-'));
const lutPath = join(folder, 'mine.bin');
writeFileSync(lutPath, lutBytes());
const evoDir = join(folder, 'evoapprox');
mkdirSync(evoDir);
writeFileSync(join(evoDir, 'mul8u_1JFF.bin'), evoApproxBytes());
writeFileSync(join(evoDir, 'multipliers.json'), JSON.stringify({ multipliers: { mul8u_1JFF: { pwr: 0.391 } } }));

const bits = (label: string, ...args: unknown[]): BadCase => ({ label, args: () => args });

const famesLibrarySpecs: PackageSpecs = {
  // operand.ts
  checkOperand: { valid: () => ['a', u4()], bad: [bits('bits 9', 'a', { bits: 9, signed: false })] },
  codeRange: { valid: () => [s4()] },
  codeToPattern: {
    valid: () => [-1, 4],
    bad: [bits('code 2.5', 2.5, 4), bits('bits 40', 1, 40), bits('code 1e12', 1e12, 8)],
  },
  patternToCode: { valid: () => [15, s4()], bad: [bits('pattern 16 of a 4-bit operand', 16, s4())] },
  codesByPattern: { valid: () => [s4()], bad: [bits('bits 1e9', { bits: 1e9, signed: false })] },
  // metrics.ts, energy.ts, gate-count.ts
  errorMetrics: {
    valid: () => [exact22Table(), u2(), u2()],
    bad: [bits('15 entries', new Int32Array(15), u2(), u2())],
  },
  exactMultiplyEnergyPj: { valid: () => [8, 8], skip: { '2': ['undefined'] } },
  scaleEnergyByGates: { valid: () => [50, 100, 0.2] },
  keepAll: { valid: () => [4, 3], bad: [bits('1e9 x 1e9 bits', 1e9, 1e9), bits('2.5 bits', 2.5, 2)] },
  partialProductArrayGates: {
    valid: () => [fames.keepAll(2, 3)],
    bad: [bits('a row of numbers', [[1, 0]]), bits('rows of different lengths', [[true], [true, false]])],
  },
  leadingOneDetectorGates: { valid: () => [8] },
  barrelShifterGates: { valid: () => [8, 7] },
  adderGates: { valid: () => [8] },
  signMagnitudeWrapperGates: { valid: () => [4, true, 4, false] },
  exactReferenceGates: { valid: () => [u4(), s4()] },
  // appmul.ts
  AppMul: {
    valid: () => [
      {
        name: 'm22',
        family: 'lut',
        a: u2(),
        w: u2(),
        table: exact22Table(),
        energyPj: 0.01,
        energySource: 'user',
        gates: 12,
        params: { k: 1 },
      },
    ],
    skip: { '0.family': ['undefined'], '0.gates': ['undefined'], '0.params': ['undefined', '{}'] },
    bad: [
      {
        label: 'energySource "guess"',
        args: () => [{ name: 'm', a: u2(), w: u2(), table: exact22Table(), energyPj: 0, energySource: 'guess' }],
      },
    ],
    instances: [
      { label: 'trunc3', make: mul, method: 'product', valid: () => [5, -3] },
      { label: 'trunc3', make: mul, method: 'metrics', valid: () => [] },
      { label: 'trunc3', make: mul, method: 'describe', valid: () => [] },
    ],
  },
  behaviouralAppMul: {
    valid: () => [{ a: u2(), w: u2() }, 'mine', 'mine', { k: 1 }, (x: number, y: number) => x * y, 10],
    openKeys: { 3: 'params: free-form report parameters of the design (any name)' },
    bad: [
      { label: 'a core returning NaN', args: () => [{ a: u2(), w: u2() }, 'f', 'n', {}, () => NaN, 10] },
      { label: 'a core returning 0.5', args: () => [{ a: u2(), w: u2() }, 'f', 'n', {}, () => 0.5, 10] },
      { label: 'gates -1', args: () => [{ a: u2(), w: u2() }, 'f', 'n', {}, (x: number, y: number) => x * y, -1] },
    ],
  },
  // families/*
  exactMultiplier: { valid: () => [{ a: u4(), w: s4() }] },
  truncatedMultiplier: {
    valid: () => [{ a: u4(), w: s4(), columns: 2, compensate: true }],
    skip: { '0.compensate': ['undefined'] },
  },
  brokenArrayMultiplier: { valid: () => [{ a: u4(), w: u4(), hbl: 1, vbl: 2 }] },
  operandTruncationMultiplier: { valid: () => [{ a: u4(), w: u4(), dropA: 1, dropW: 0 }] },
  mitchellMultiplier: {
    valid: () => [{ a: u4(), w: u4(), fractionBits: 2 }],
    skip: { '0.fractionBits': ['undefined'] },
  },
  drumMultiplier: { valid: () => [{ a: u4(), w: u4(), k: 2 }] },
  drumSegment: { valid: () => [13, 2], bad: [bits('k 40', 13, 40), bits('x 2.5', 2.5, 2)] },
  underdesignedMultiplier: { valid: () => [{ a: u4(), w: s4() }] },
  underdesignedProduct: {
    valid: () => [3, 3, 2],
    bad: [bits('n 3 (not a power of two)', 3, 3, 3), bits('x 4 for n 2', 4, 1, 2), bits('n 1e9', 1, 1, 1e9)],
  },
  // library.ts, lut-file.ts, evoapprox.ts, appmul-registry.ts
  appMulLibrary: {
    valid: () => [{ a: u2(), w: u2() }],
    openKeys: { 0: 'reads a and w only: the README passes a counting matrix ({ a, w, g, perSample })' },
  },
  lutByteLength: {
    valid: () => [{ a: u4(), w: s4(), elementBytes: 2 }],
    openKeys: { 0: 'reads a, w and elementBytes of a full LutOptions (loadLutFile passes its options)' },
  },
  parseLut: {
    valid: () => [lutBytes(), lutOptions(), 'sweep LUT'],
    skip: {
      '2': ['undefined'],
      '1.order': ['undefined'],
      '1.energySource': ['undefined'],
      '1.family': ['undefined'],
      '1.params': ['undefined', '{}'],
      '1.checkLayout': ['undefined'],
    },
    bad: [
      { label: 'truncated', args: () => [lutBytes().subarray(1), lutOptions()] },
      { label: 'w-major declared', args: () => [lutBytes(), { ...lutOptions(), order: 'w-major' }] },
    ],
  },
  serializeLut: { valid: () => [mul(), 2, true, 'a-major'], skip: { '3': ['undefined'] } },
  parseEvoApproxBin: {
    valid: () => [evoApproxBytes(), 'sweep .bin', { pwr: 0.2, 'mae%': 0 }, 'mul8u_sweep'],
    skip: { '3': ['undefined'], '2.mae%': ['undefined'] },
    openKeys: { 2: 'published figures: every numeric key of multipliers.json is kept as a parameter' },
  },
  registerAppMul: { valid: () => [mul()] },
  registeredAppMuls: { valid: () => [] },
  foldAppMulName: { valid: () => ['mul8u_2AC'] },
  findAppMul: { valid: () => [mulName] },
  resolveAppMul: { valid: () => [mulName] },
  // arithmetic/*
  LowbitAppMulArithmetic: {
    valid: () => [{ multiplier: mulName, appMulPath: 'lut' }],
    skip: { '0': ['undefined', '{}'], '0.multiplier': ['undefined', 'null'], '0.appMulPath': ['undefined'] },
  },
  appMulEnergyRatio: { valid: () => [mul()] },
  appMulToTable: { valid: () => [mul()] },
  appMulFromTable: { valid: () => [fames.appMulToTable(mul()), 'table'], skip: { '1': ['undefined'] } },
  multiplierConfig: { valid: () => [mul()], skip: { '0': ['null'] } },
  // layers/*
  appMulDense: {
    valid: () => [{ units: 3, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mulName }],
    instances: (() => {
      const tables = layerInstances(
        () => fames.appMulDense({ units: 3, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mulName }),
        mulName,
        [2, 4],
        1,
      );
      // Dense layers take any rank >= 2.
      for (const t of tables) t.bad = t.bad!.filter((b) => b.label !== 'rank one higher');
      return tables;
    })(),
  },
  appMulConv2d: {
    valid: () => [{ filters: 2, kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mulName }],
    instances: layerInstances(
      () =>
        fames.appMulConv2d({ filters: 2, kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mulName }),
      mulName,
      [1, 4, 4, 2],
      3,
    ),
  },
  appMulDepthwiseConv2d: {
    valid: () => [{ kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mulName }],
    instances: layerInstances(
      () =>
        fames.appMulDepthwiseConv2d({ kernelSize: 2, inputQuantizer: aQ, kernelQuantizer: wQ, multiplier: mulName }),
      mulName,
      [1, 4, 4, 2],
      3,
    ),
  },
  isAppMulLayer: { acceptsAnything: 'a type guard: true or false for any value' },
  appMulLayersOf: { valid: () => [net()] },
  multiplierOf: { valid: () => [denseLayer()] },
  setMultiplier: { valid: () => [denseLayer(), mulName], skip: { '1': ['null'] } },
  layerOperandCodes: { valid: () => [builtDense(), ramp([2, 4])] },
  // counting.ts, layer-choices.ts, selection.ts, calibrate-counting.ts
  denseCountingMatrix: {
    valid: () => [
      aCodes([2, 3]),
      wCodes([3, 2]),
      ramp([2, 2]),
      { a: u4(), w: s4() },
      0.5,
      { perSample: true, lossWeight: 0.5, rowsPerSample: 1, maxEntries: 1000 },
    ],
    openKeys: { 3: 'operands: reads a and w only (tests pass another counting matrix)' },
    skip: {
      '4': ['undefined'],
      '5': ['undefined'],
      '5.perSample': ['undefined'],
      '5.lossWeight': ['undefined'],
      '5.rowsPerSample': ['undefined'],
      '5.maxEntries': ['undefined'],
    },
    nanCase: () => [aCodes([2, 3]), wCodes([3, 2]), tf.tensor2d([NaN, 1, 2, 3], [2, 2]), { a: u4(), w: s4() }],
  },
  conv2dCountingMatrix: {
    valid: () => [
      aCodes([1, 4, 4, 2]),
      wCodes([2, 2, 2, 3]),
      ramp([1, 3, 3, 3]),
      { a: u4(), w: s4() },
      0.5,
      { strides: 1, padding: 'valid', dilations: 1 },
      { perSample: false },
    ],
    openKeys: { 3: 'operands: reads a and w only (tests pass another counting matrix)' },
    skip: {
      '4': ['undefined'],
      '5': ['undefined', '{}'],
      '6': ['undefined', '{}'],
      '5.strides': ['undefined'],
      '5.padding': ['undefined'],
      '5.dilations': ['undefined'],
      '6.perSample': ['undefined'],
    },
  },
  depthwiseConv2dCountingMatrix: {
    valid: () => [
      aCodes([1, 4, 4, 2]),
      wCodes([2, 2, 2, 1]),
      ramp([1, 4, 4, 2]),
      { a: u4(), w: s4() },
      [0.5, 0.25],
      { strides: 1, padding: 'same', dilations: 1 },
      { perSample: true },
    ],
    openKeys: { 3: 'operands: reads a and w only (tests pass another counting matrix)' },
    skip: {
      '4': ['undefined'],
      '5': ['undefined', '{}'],
      '6': ['undefined', '{}'],
      '5.strides': ['undefined'],
      '5.padding': ['undefined'],
      '5.dilations': ['undefined'],
      '6.perSample': ['undefined'],
    },
  },
  estimateLossTerms: { valid: () => [counting(), mul()] },
  estimateLossChange: {
    valid: () => [counting(), mul(), { order: 2 }],
    skip: { '2': ['undefined', '{}'], '2.order': ['undefined'] },
  },
  layerChoices: {
    valid: () => ['fc', counting(), [exact44(), mul()], 12, { clampNegative: true, maxMaePercent: 50 }],
    skip: { '4': ['undefined', '{}'], '4.clampNegative': ['undefined'], '4.maxMaePercent': ['undefined'] },
  },
  selectMultipliers: {
    valid: () => [selectionLayers(), 0.07, { lossUnit: 0.01, maxSteps: 1000 }],
    skip: { '2': ['undefined', '{}'], '2.lossUnit': ['undefined'], '2.maxSteps': ['undefined'] },
  },
  selectExhaustive: { valid: () => [selectionLayers(), 0.07, 100], skip: { '2': ['undefined'] } },
  countingMatricesOf: {
    valid: () => [net(), ramp([3, 4]), meanSquare, { secondOrder: true, reduction: 'mean', maxEntries: 100000 }],
    skip: {
      '3': ['undefined', '{}'],
      '3.secondOrder': ['undefined'],
      '3.reduction': ['undefined'],
      '3.maxEntries': ['undefined'],
    },
  },
  // ga/*
  geneticSearch: {
    valid: () => [
      {
        energies: [
          [2, 1],
          [3, 1],
        ],
        evaluate: (c: readonly number[]) => 0.1 * c[0]! + 0.05 * c[1]!,
        budget: 0.1,
        initial: [[0, 0]],
      },
      { population: 4, generations: 2, seed: 1, crossoverRate: 0.9, mutationRate: 0.5, elite: 1 },
    ],
    skip: {
      '0.initial': ['undefined', '[]'],
      '1': ['undefined', '{}'],
      '1.population': ['undefined'],
      '1.generations': ['undefined'],
      '1.seed': ['undefined'],
      '1.crossoverRate': ['undefined'],
      '1.mutationRate': ['undefined'],
      '1.elite': ['undefined'],
    },
    bad: [
      {
        label: 'an evaluate returning Infinity',
        args: () => [
          { energies: [[1, 2]], evaluate: () => Infinity, budget: 1 },
          { population: 2, generations: 0 },
        ],
      },
    ],
  },
  measuredLossChange: {
    valid: () => {
      const model = net();
      return [model, gaLayers(model), ramp([3, 4]), meanSquare];
    },
  },
  selectMultipliersGa: {
    valid: () => {
      const model = net();
      return [model, gaLayers(model), ramp([3, 4]), meanSquare, 0.5, { population: 2, generations: 1, apply: false }];
    },
    skip: {
      '5': ['undefined', '{}'],
      '5.population': ['undefined'],
      '5.generations': ['undefined'],
      '5.apply': ['undefined'],
    },
  },
};

const nanCodes = (shape: number[]) => {
  const t = aCodes(shape);
  const v = Float32Array.from(t.dataSync());
  t.dispose();
  v[1] = NaN;
  return tf.tensor(v, shape, 'float32');
};
const convAttrs = () => ({
  ...attrs(),
  strideH: 1,
  strideW: 1,
  dilationH: 1,
  dilationW: 1,
  padTop: 0,
  padLeft: 0,
  outH: 3,
  outW: 1,
});
/** The a-side product factors of `mul()` as the LowbitCodeFactors kernel takes them (rank 2: the sweep's tables). */
const factorAttrs = () => ({ ...fames.offsetFactors(mul(), fames.productFactors(mul(), 8), 'a'), axis: -1 });
const xLoopCodes = () => Int32Array.from({ length: 32 }, (_, i) => (i * 5) % 16);
const wLoopCodes = () => Int32Array.from({ length: 24 }, (_, i) => ((i * 5) % 16) - 8);

/** The AppMul simulation kernels (src/kernels/**, src/simulate/**). */
const famesSimulationSpecs: PackageSpecs = {
  registerAppMulKernels: { valid: () => [] },
  appMulMatMul: {
    valid: () => [aCodes([2, 3]), wCodes([3, 2]), mul(), { path: 'lut', maxRank: 8, checkCodes: true }],
    skip: {
      '3': ['undefined', '{}'],
      '3.path': ['undefined'],
      '3.maxRank': ['undefined'],
      '3.checkCodes': ['undefined'],
    },
    nanCase: () => [nanCodes([2, 3]), wCodes([3, 2]), mul()],
    bad: [
      {
        label: 'a code outside the range',
        args: () => [tf.tensor2d([0, 16, 1, 2, 3, 4], [2, 3], 'int32'), wCodes([3, 2]), mul()],
      },
      { label: 'fractional codes', args: () => [tf.fill([2, 3], 2.5), wCodes([3, 2]), mul()] },
    ],
  },
  appMulConv2dCodes: {
    valid: () => [aCodes([1, 4, 4, 2]), wCodes([2, 2, 2, 3]), mul(), { strides: 1, padding: 'valid', path: 'lut' }],
    skip: { '3': ['undefined', '{}'], '3.strides': ['undefined'], '3.padding': ['undefined'], '3.path': ['undefined'] },
    nanCase: () => [nanCodes([1, 4, 4, 2]), wCodes([2, 2, 2, 3]), mul()],
    bad: [
      { label: 'a kernel larger than the input', args: () => [aCodes([1, 1, 1, 2]), wCodes([2, 2, 2, 3]), mul()] },
      {
        label: 'NaN codes on the patches route',
        nan: true,
        args: () => [nanCodes([1, 4, 4, 2]), wCodes([2, 2, 2, 3]), mul(), { patches: 'composed' }],
      },
    ],
  },
  appMulDepthwiseConv2dCodes: {
    valid: () => [aCodes([1, 4, 4, 2]), wCodes([2, 2, 2, 1]), mul(), { strides: 1, padding: 'same', path: 'lut' }],
    skip: { '3': ['undefined', '{}'], '3.strides': ['undefined'], '3.padding': ['undefined'], '3.path': ['undefined'] },
    nanCase: () => [nanCodes([1, 4, 4, 2]), wCodes([2, 2, 2, 1]), mul()],
  },
  appMulMatMulLoop: {
    valid: () => [Int32Array.of(1, 2, 3, 4), Int32Array.of(-1, 2), 2, 2, 1, attrs()],
    nanCase: () => [Float64Array.of(1, NaN, 3, 4), Int32Array.of(-1, 2), 2, 2, 1, attrs()],
    bad: [
      bits('huge sizes over small arrays', Int32Array.of(1, 2), Int32Array.of(1, 2), 1e9, 1e9, 1e9, attrs()),
      bits('an activation code outside the range', Int32Array.of(1, 16, 3, 4), Int32Array.of(-1, 2), 2, 2, 1, attrs()),
    ],
  },
  appMulConv2dLoop: {
    valid: () => [xLoopCodes(), wLoopCodes(), [2, 4, 2, 2], [2, 2, 2, 3], convAttrs()],
    nanCase: () => [
      Float64Array.from(xLoopCodes(), (c, i) => (i === 5 ? NaN : c)),
      wLoopCodes(),
      [2, 4, 2, 2],
      [2, 2, 2, 3],
      convAttrs(),
    ],
    bad: [
      bits(
        'a 1e9 x 1e9 input over a small array',
        xLoopCodes(),
        wLoopCodes(),
        [1, 1e9, 1e9, 2],
        [2, 2, 2, 3],
        convAttrs(),
      ),
      bits('outH past the input', xLoopCodes(), wLoopCodes(), [2, 4, 2, 2], [2, 2, 2, 3], { ...convAttrs(), outH: 9 }),
      bits("kh not the kernel's", xLoopCodes(), wLoopCodes(), [2, 4, 2, 2], [2, 2, 2, 3], { ...convAttrs(), kh: 3 }),
    ],
  },
  appMulMatMulComposed: {
    valid: () => [aCodes([2, 3]), wCodes([3, 2]), attrs()],
    nanCase: () => [nanCodes([2, 3]), wCodes([3, 2]), attrs()],
    bad: [{ label: 'a code outside the range', args: () => [aCodes([2, 3]), codes([3, 2], -9, 7), attrs()] }],
  },
  appMulMatMulReference: {
    valid: () => [Int32Array.of(1, 2, 3, 4), Int32Array.of(-1, 2), [2, 2, 1], mul()],
    nanCase: () => [Float64Array.of(1, NaN, 3, 4), Int32Array.of(-1, 2), [2, 2, 1], mul()],
    bad: [
      bits('K 0 with a huge output', Int32Array.of(), Int32Array.of(), [1e9, 0, 1e9], mul()),
      bits('a code outside the range', Int32Array.of(1, 16, 3, 4), Int32Array.of(-1, 2), [2, 2, 1], mul()),
    ],
  },
  chooseAppMulPath: {
    valid: () => [mul(), 3, { path: 'auto', maxRank: 8 }, 'cpu'],
    skip: { '2': ['undefined', '{}'], '2.path': ['undefined'], '2.maxRank': ['undefined'], '3': ['undefined'] },
  },
  lowRankFactors: { valid: () => [mul(), 8], skip: { '1': ['undefined'] } },
  productFactors: { valid: () => [mul(), 8] },
  offsetFactors: {
    valid: () => [mul(), fames.productFactors(mul(), 8), 'a'],
    bad: [
      {
        label: "another multiplier's factors",
        args: () => [fames.exactMultiplier({ a: u2(), w: u2() }), fames.productFactors(mul(), 8), 'a'],
      },
    ],
  },
  codeFactorsLoop: {
    valid: () => [Int32Array.of(0, 3, 15, 7), factorAttrs(), [2, 2]],
    skip: { '2': ['undefined'], '1.axis': ['undefined'] },
    nanCase: () => [Float64Array.of(0, NaN, 15, 7), factorAttrs(), [2, 2]],
    nanPropagates: 'NaN codes give NaN factors (the docs say so: the low-rank path propagates NaN as tf ops do)',
    bad: [
      bits('a code outside the range', Int32Array.of(0, 16, 1, 2), factorAttrs(), [2, 2]),
      bits('a fractional code', Float64Array.of(0, 1.5, 1, 2), factorAttrs(), [2, 2]),
      bits('a shape the codes do not fill', Int32Array.of(0, 1, 1, 2), factorAttrs(), [3, 2]),
      bits('factors of another size', Int32Array.of(0, 1), { ...factorAttrs(), rank: 3 }),
    ],
  },
  codeFactorsComposed: {
    valid: () => [aCodes([2, 3]), factorAttrs()],
    skip: { '1.axis': ['undefined'] },
    nanCase: () => [nanCodes([2, 3]), factorAttrs()],
    nanPropagates: 'NaN codes give NaN factors (documented)',
  },
  codeFactors: {
    valid: () => [aCodes([2, 3]), factorAttrs()],
    skip: { '1.axis': ['undefined'] },
    nanCase: () => [nanCodes([2, 3]), factorAttrs()],
    nanPropagates: 'NaN codes give NaN factors (documented)',
    bad: [{ label: 'a code outside the range', args: () => [codes([2, 3], 0, 20), factorAttrs()] }],
  },
  lowRankExactFor: {
    valid: () => [mul(), fames.lowRankFactors(mul(), 256), 3],
    bad: [
      {
        label: "another multiplier's factors",
        args: () => [fames.exactMultiplier({ a: u2(), w: u2() }), fames.lowRankFactors(mul(), 256), 3],
      },
    ],
  },
  normalisePair: { valid: () => ['strides', [1, 2]], skip: { '1': ['undefined'] } },
  normaliseStrides: { valid: () => [[1, 2]], skip: { '0': ['undefined'] } },
  axisPadding: { valid: () => [5, 2, 1, 'same', 1], skip: { '4': ['undefined'] } },
  convGeometry: {
    valid: () => [ramp([1, 4, 4, 2]), 2, 2, { strides: 1, padding: 'valid', dilations: 1 }],
    skip: {
      '3': ['undefined', '{}'],
      '3.strides': ['undefined'],
      '3.padding': ['undefined'],
      '3.dilations': ['undefined'],
    },
    bad: [bits('a kernel larger than the input', ramp([1, 1, 1, 2]), 2, 2)],
  },
  extractPatches: {
    valid: () => [ramp([1, 4, 4, 2]), 2, 2, { strides: 1, padding: 'valid', dilations: 1, path: 'auto' }],
    skip: {
      '3': ['undefined', '{}'],
      '3.strides': ['undefined'],
      '3.padding': ['undefined'],
      '3.dilations': ['undefined'],
      '3.path': ['undefined'],
    },
  },
};

/** The main entry's spec tables: the library's and the simulation kernels'. */
export const famesSpecs: PackageSpecs = { ...famesLibrarySpecs, ...famesSimulationSpecs };

const evoFigures = () => ({ pwr: 0.391 });

export const famesNodeSpecs: PackageSpecs = {
  readEvoApproxFigures: { valid: () => [evoDir] },
  loadEvoApproxMultiplier: {
    valid: () => [evoDir, 'mul8u_1JFF', evoFigures()],
    skip: { '2': ['undefined'] },
    openKeys: { 2: 'published figures: every numeric key of multipliers.json is kept as a parameter' },
    bad: [
      { label: 'a name not in multipliers.json', args: () => [evoDir, 'mul8u_NOPE'] },
      { label: 'a folder without multipliers.json', args: () => [folder, 'mul8u_1JFF'] },
    ],
  },
  loadEvoApproxLibrary: { valid: () => [evoDir] },
  loadLutFile: {
    valid: () => [lutPath, lutOptions()],
    skip: {
      '1.order': ['undefined'],
      '1.energySource': ['undefined'],
      '1.family': ['undefined'],
      '1.params': ['undefined', '{}'],
      '1.checkLayout': ['undefined'],
    },
    bad: [
      { label: 'a folder', args: () => [folder, lutOptions()] },
      { label: '/dev/zero', args: () => ['/dev/zero', lutOptions()] },
      { label: 'a file of another size', args: () => [lutPath, { ...lutOptions(), a: u2() }] },
    ],
  },
};
