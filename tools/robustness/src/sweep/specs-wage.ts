/** Spec tables of @lowbit/wage-train's main entry. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as qc from '@lowbit/quant-core';
import * as wage from '@lowbit/wage-train';
import { layerInstances, quantizerInstances } from './specs-quant-core.js';
import { extremeTensor, nanTensor, ramp } from './fixtures.js';
import type { InstanceTable, PackageSpecs } from './spec.js';

const noHigherRank = <T extends { bad?: { label: string }[] }>(tables: T[]) => {
  for (const t of tables) t.bad = t.bad!.filter((b) => b.label !== 'rank one higher');
  return tables;
};
// WAGE activations are elementwise: any rank and channel count is valid.
const anyShape = <T extends { bad?: { label: string }[] }>(tables: T[]) => {
  const skip = ['wrong channel count', 'rank one higher', 'rank one lower'];
  for (const t of tables) t.bad = t.bad!.filter((b) => !skip.includes(b.label));
  return tables;
};

/** A tiny sequential WAGE MLP on [4] inputs with 2 outputs (input Q_A, dense, activation, dense, Q_E). */
const tinyMlp = (seed = 1) =>
  tfl.sequential({
    layers: [
      wage.wageActivation({ inputShape: [4], relu: false, errorBits: null }),
      wage.wageDense({ units: 3, weightBits: 2, seed }),
      wage.wageActivation({ outputBits: 8, errorBits: 8 }),
      wage.wageDense({ units: 2, weightBits: 2, seed: seed + 1 }),
      wage.wageErrorQuantizer({ errorBits: 8 }),
    ],
  });
let netCache: wage.WageIntegerNetwork | null = null;
const net = () => (netCache ??= wage.exportWageNetwork(tinyMlp()));
const x4 = () => ramp([2, 4]);
const oneHot = () => tf.tensor2d([1, 0, 0, 1], [2, 2]);
const labels = () => tf.tensor1d([0, 1], 'int32');
/** Codes of the 8-bit input grid (|code| <= 127). */
const inputCodes = () => Int32Array.of(-3, 0, 5, 127, -127, 2, 1, 0);

/** A registered variable for the optimizer's applyGradients (made once: tfjs names are global). */
let sweepVariable: tf.Variable | null = null;
const variable = () => (sweepVariable ??= tf.variable(tf.zeros([2, 3]), true, 'wage_sweep_w'));
const optimizer = () => new wage.LowbitWageOptimizer({ learningRate: 8, gradientBits: 8, weightBits: 2, seed: 1 });

/** Values on the 8-bit WAGE grid (codes times 2^-7), which the pass-through part exports. */
const onGrid = () => tf.tensor1d([0, 1 / 128, -5 / 128, 127 / 128, -127 / 128, 64 / 128]);

const optimizerTables: InstanceTable[] = [
  {
    label: 'eta 8 G8 W2',
    make: optimizer,
    method: 'quantizedUpdate',
    valid: () => [ramp([2, 3])],
    nanCase: () => [nanTensor([2, 3])],
    bad: [{ label: 'int32 gradient', args: () => [tf.zeros([2, 3], 'int32')] }],
  },
  {
    label: 'eta 8 G8 W2',
    make: optimizer,
    method: 'applyGradients',
    valid: () => [{ [variable().name]: ramp([2, 3], 0.01) }],
    skip: { '0': ['{}'] },
    nanCase: () => [{ [variable().name]: nanTensor([2, 3]) }],
    bad: [
      { label: 'gradient of the wrong shape', args: () => [{ [variable().name]: ramp([3, 2]) }] },
      { label: 'unregistered variable', args: () => [{ not_a_variable_of_the_sweep: ramp([2, 3]) }] },
      { label: 'array entry without a tensor', args: () => [[{ name: variable().name, tensor: 3 }]] },
    ],
  },
  {
    label: 'eta 8 G8 W2',
    make: optimizer,
    method: 'setWeights',
    valid: () => [
      [
        { name: 'iter', tensor: tf.scalar(4, 'int32') },
        { name: 'wage_rng_counter', tensor: tf.tensor1d([12, 0], 'int32') },
      ],
    ],
    bad: [
      { label: 'iterations NaN', args: () => [[{ name: 'iter', tensor: tf.scalar(NaN) }]], nan: true },
      {
        label: 'negative draw counter',
        args: () => [
          [
            { name: 'iter', tensor: tf.scalar(0, 'int32') },
            { name: 'wage_rng_counter', tensor: tf.tensor1d([-1, 0], 'int32') },
          ],
        ],
      },
    ],
  },
];

/** The pass-through input part: call on any float values; quantize only values on its grid. */
const passThroughTables = (): InstanceTable[] => {
  const make = () => new wage.LowbitWagePassThroughQuantizer({ bits: 8 });
  const [call, training] = quantizerInstances(make, '8 bits', [16], 'wage-quantizers.ts docs: call is the identity');
  return [
    call!,
    training!,
    {
      label: '8 bits',
      make,
      method: 'quantize',
      valid: () => [onGrid()],
      nanCase: () => [tf.tensor1d([NaN, 0])],
      bad: [
        { label: 'value off the grid', args: () => [tf.tensor1d([0.3])] },
        { label: 'extreme values', args: () => [extremeTensor()] },
      ],
    },
  ];
};

export const wageSpecs: PackageSpecs = {
  checkWageBits: { valid: () => ['weightBits', 4] },
  maxWageCode: { valid: () => [4] },
  fanInOf: { valid: () => [[3, 4]], bad: [{ label: 'rank 1', args: () => [[4]] }] },
  wageInitialKernel: {
    valid: () => [[3, 4], 2, 1],
    bad: [
      { label: 'a 1e10-element shape', args: () => [[1e5, 1e5], 2, 1] },
      { label: 'weightBits 1', args: () => [[3, 4], 1, 1] },
    ],
  },
  snapToWageGrid: {
    valid: () => [ramp([2, 3]), 4],
    nanPropagates: 'wage-init.ts docs: snapToWageGrid maps NaN to NaN (as quant-core wageQ / wageClip)',
  },
  LowbitWageInitializer: {
    valid: () => [{ bits: 4, seed: 3, base: 'glorotUniform' }],
    skip: { '0.base': ['undefined', 'null'] },
    instances: [
      {
        label: 'bits 4',
        make: () => new wage.LowbitWageInitializer({ bits: 4, seed: 3 }),
        method: 'apply',
        valid: () => [[3, 4], 'float32'],
        bad: [
          { label: 'int32 dtype', args: () => [[3, 4], 'int32'] },
          { label: 'zero size', args: () => [[0, 4]] },
          { label: 'rank 1', args: () => [[4]] },
        ],
      },
    ],
  },
  wageInitializer: { valid: () => [{ bits: 4, seed: 3 }] },
  isWageInitializer: { acceptsAnything: 'a type guard: true or false for any value' },
  errorQuantizerOp: {
    valid: () => [ramp([2, 3]), 8],
    nanPropagates: 'error-quantizer.ts docs: the forward pass is the identity, so NaN values pass through',
  },
  LowbitWageActivationQuantizer: {
    valid: () => [{ bits: 8, errorBits: 8, signed: false }],
    bad: [{ label: 'bits and errorBits null', args: () => [{ bits: null, errorBits: null }] }],
    instances: [
      ...quantizerInstances(() => new wage.LowbitWageActivationQuantizer({ bits: 8, errorBits: 8 }), 'A8 E8'),
      // Q_E alone: no integer codes, so only `call`.
      ...quantizerInstances(
        () => new wage.LowbitWageActivationQuantizer({ bits: null, errorBits: 8 }),
        'E8 only',
        [16],
        'wage-quantizers.ts docs: without Q_A, call is the identity forward',
      ).filter((t) => t.method === 'call'),
    ],
  },
  LowbitWagePassThroughQuantizer: { valid: () => [{ bits: 8, signed: true }], instances: passThroughTables() },
  wageActivation: {
    valid: () => [{ outputBits: 8, errorBits: 8, relu: true }],
    instances: anyShape(layerInstances(() => wage.wageActivation({ outputBits: 8, errorBits: 8 }), 'A8 E8', [2, 3], 1)),
  },
  wageErrorQuantizer: {
    valid: () => [{ errorBits: 8 }],
    instances: anyShape(layerInstances(() => wage.wageErrorQuantizer({ errorBits: 8 }), 'E8', [2, 3], 1)),
  },
  wageActivationPart: { acceptsAnything: "a lookup: a layer's WAGE activation part, or null for any other value" },
  isWageActivation: { acceptsAnything: 'a type guard: true or false for any value' },
  isWageErrorQuantizer: { acceptsAnything: 'a type guard: true or false for any value' },
  wageDense: {
    valid: () => [{ units: 3, weightBits: 2, inputBits: 8, seed: 3 }],
    instances: noHigherRank(
      layerInstances(() => wage.wageDense({ units: 3, weightBits: 2, seed: 3 }), 'W2', [2, 4], 1),
    ),
  },
  wageConv2d: {
    valid: () => [{ filters: 2, kernelSize: 2, weightBits: 2, inputBits: 8, seed: 2 }],
    instances: layerInstances(
      () => wage.wageConv2d({ filters: 2, kernelSize: 2, weightBits: 2, seed: 2 }),
      'W2',
      [1, 4, 4, 2],
      3,
    ),
  },
  isWageLayer: { acceptsAnything: 'a type guard: true or false for any value' },
  fromLegacyWageConfig: {
    valid: () => [{ bitsW: 2, bitsA: 8, units: 3, seed: 1 }],
    openKeys: { 0: 'a saved layer config: every tfjs layer key passes on to the factory, which checks it' },
    nanPropagates: 'legacy.ts docs: values are renamed, not checked (the WAGE factories check them)',
  },
  checkWageLearningRate: { valid: () => [8] },
  LowbitWageOptimizer: {
    valid: () => [{ learningRate: 8, gradientBits: 8, weightBits: 2, seed: 1 }],
    bad: [{ label: 'old option name bitsG', args: () => [{ bitsG: 8 }] }],
    instances: optimizerTables,
  },
  sseLoss: {
    valid: () => [oneHot(), ramp([2, 2])],
    nanPropagates: 'train.ts docs: NaN targets or predictions give a NaN loss',
    bad: [{ label: 'shapes differ', args: () => [oneHot(), ramp([2, 3])] }],
  },
  wageSchedule: { valid: () => [6] },
  trainWage: {
    valid: () => [
      tinyMlp(),
      x4(),
      oneHot(),
      { epochs: 1, batchSize: 2, gradientBits: 8, weightBits: 2, seed: 1, maxBatchesPerEpoch: 1 },
    ],
    bad: [
      { label: 'x of the wrong shape', args: () => [tinyMlp(), ramp([2, 5]), oneHot(), { epochs: 1 }] },
      { label: 'y of the wrong width', args: () => [tinyMlp(), x4(), tf.zeros([2, 3]), { epochs: 1 }] },
      { label: 'NaN in y', args: () => [tinyMlp(), x4(), tf.tensor2d([1, NaN, 0, 1], [2, 2]), {}], nan: true },
      { label: 'onBatchEnd not a function', args: () => [tinyMlp(), x4(), oneHot(), { onBatchEnd: 3 }] },
      { label: 'schedule entry null', args: () => [tinyMlp(), x4(), oneHot(), { schedule: [null] }] },
    ],
  },
  // quant-core's, re-exported: the same table as there.
  shuffledIndices: { valid: () => [5, new qc.SeededRng(1)], skip: { '0': ['1e9'] } },
  predictClasses: {
    valid: () => [tinyMlp(), x4(), 2],
    bad: [
      { label: 'x of the wrong shape', args: () => [tinyMlp(), ramp([2, 5])] },
      { label: 'NaN in x', args: () => [tinyMlp(), nanTensor([2, 4])], nan: true },
    ],
  },
  wageErrorRate: {
    valid: () => [tinyMlp(), x4(), labels(), 2],
    bad: [
      { label: 'labels of another length', args: () => [tinyMlp(), x4(), tf.tensor1d([0, 1, 1], 'int32')] },
      { label: 'NaN in x', args: () => [tinyMlp(), nanTensor([2, 4]), labels()], nan: true },
      { label: 'float labels', args: () => [tinyMlp(), x4(), tf.tensor1d([0.5, 1])] },
    ],
  },
  exportWageNetwork: {
    valid: () => [tinyMlp()],
    bad: [
      {
        label: 'a model without the input quantizer',
        args: () => [tfl.sequential({ layers: [wage.wageDense({ units: 2, inputShape: [4] })] })],
      },
      {
        label: 'a model with a bias layer',
        args: () => [
          tfl.sequential({
            layers: [
              wage.wageActivation({ inputShape: [4], relu: false, errorBits: null }),
              tfl.layers.dense({ units: 2 }),
            ],
          }),
        ],
      },
    ],
  },
  wageInputCodes: {
    valid: () => [net(), x4()],
    bad: [
      { label: 'x of the wrong shape', args: () => [net(), ramp([2, 5])] },
      { label: 'NaN in x', args: () => [net(), nanTensor([2, 4])], nan: true },
    ],
  },
  runWageInteger: {
    valid: () => [net(), inputCodes(), 2],
    bad: [
      { label: 'a code beyond the input grid', args: () => [net(), Int32Array.of(128, 0, 0, 0, 0, 0, 0, 0), 2] },
      { label: 'codes for another batch', args: () => [net(), inputCodes(), 3] },
      {
        label: 'a step of unknown kind',
        args: () => [{ ...net(), steps: [{ kind: 'softmax', name: 's' }] }, inputCodes(), 2],
      },
      {
        label: 'a dense step with a float kernel',
        args: () => [{ ...net(), steps: [{ kind: 'dense', name: 'd', kernel: [[1, 2]] }] }, inputCodes(), 2],
      },
      { label: 'inputBits 17', args: () => [{ ...net(), inputBits: 17 }, inputCodes(), 2] },
    ],
  },
  roundingShiftRight: {
    valid: () => [13, 2],
    bad: [
      { label: 'shift 0', args: () => [13, 0] },
      { label: 'shift 32', args: () => [13, 32] },
      { label: 'fractional value', args: () => [1.5, 1] },
      { label: 'value beyond int32', args: () => [2 ** 31, 1] },
    ],
  },
};

/** wage-train exports in files someone else edits right now: none. */
export const wagePending = {};
