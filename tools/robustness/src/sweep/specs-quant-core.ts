/** Spec tables of @lowbit/quant-core's main entry. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as qc from '@lowbit/quant-core';
import { extremeTensor, layerBadInputs, nanTensor, ramp } from './fixtures.js';
import type { ExportSpec, InstanceTable, PackageSpecs, PendingTable, SkipTable } from './spec.js';

const ECHO = 'returns its argument unchanged (a check, not a computation)';
const NAN_LAYERS = 'checkLayerInput docs: NaN values propagate as in tfjs; quantizers map NaN to NaN';
const NAN_STE = 'ste.ts docs: NaN in gives NaN out, as the tfjs op it wraps';
const NAN_FQ = 'fake-quant-affine.ts docs: NaN propagates (the integer export rejects it)';

/** A quantizer class and configs to sweep: `call` and `quantize` on extreme finite, NaN and bad tensors. */
export function quantizerInstances(
  make: () => qc.Quantizer,
  label: string,
  shape: number[] = [16],
  nanPropagates = 'quantizer.ts docs: call maps NaN to NaN; quantize rejects it',
): InstanceTable[] {
  const x = () => (shape.length === 1 && shape[0] === 16 ? extremeTensor() : ramp(shape));
  return [
    {
      label,
      make,
      method: 'call',
      valid: () => [x()],
      skip: { '0': [] },
      nanCase: () => [nanTensor(shape)],
      nanPropagates,
    },
    {
      label: `${label} training`,
      make,
      method: 'call',
      valid: () => [x(), { training: true }],
      skip: { '1': ['undefined', '{}'] },
      openKeys: { 1: 'QuantizerCallOptions is read for `training` only' },
      nanPropagates,
    },
    { label, make, method: 'quantize', valid: () => [x()], nanCase: () => [nanTensor(shape)] },
  ];
}

/** A built layer and its apply / integerForward tables. */
export function layerInstances(
  make: () => tfl.layers.Layer,
  label: string,
  inputShape: number[],
  channelAxis: number,
  methods: string[] = ['apply'],
): InstanceTable[] {
  const built = () => {
    const layer = make();
    tf.dispose(layer.apply(ramp(inputShape)) as tf.Tensor);
    return layer;
  };
  return methods.map((method) => ({
    label,
    make: built,
    method,
    valid: () => [ramp(inputShape)],
    skip: (method === 'apply' ? {} : { '1': 'all' }) as SkipTable,
    nanCase: () => [nanTensor(inputShape)],
    nanPropagates: NAN_LAYERS,
    bad: layerBadInputs(inputShape, channelAxis),
  }));
}

class LowbitSweepQuantizer extends qc.Quantizer {
  static className = 'LowbitSweepQuantizer';
  call(x: tf.Tensor): tf.Tensor {
    return tf.clone(x);
  }
  precision(): qc.OperandPrecision {
    return { kind: 'float', bits: 32, signed: true };
  }
  quantize(): qc.QuantizedTensor {
    throw new qc.LowbitConfigError('x', null, 'no integer export');
  }
  getConfig() {
    return {};
  }
}

class LowbitSweepArithmetic extends qc.Arithmetic {
  static className = 'LowbitSweepArithmetic';
  product() {
    return null;
  }
  integerProduct(): tf.Tensor {
    return tf.scalar(0);
  }
  cost(): qc.ArithmeticCost {
    return { multiply: 'exact', name: 'sweep' };
  }
  getConfig() {
    return {};
  }
}

const qt = () =>
  new qc.QuantizedTensor({ codes: Int32Array.of(-1, 0, 1, 1), shape: [2, 2], bits: 2, signed: true, scale: [0.5] });
const parts = (): qc.ProductParts => ({
  layerName: 'fc',
  operation: 'dense',
  inputQuantizer: null,
  kernelQuantizer: new qc.LowbitWrpnQuantizer(),
});
const wrpnW = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'weight' } };
const wrpnA = { className: 'LowbitWrpnQuantizer', config: { bits: 4, mode: 'activation' } };

const denseLayer = () => qc.quantDense({ units: 3, kernelQuantizer: wrpnW, inputQuantizer: wrpnA });
const convLayer = () =>
  qc.quantConv2d({ filters: 2, kernelSize: 2, kernelQuantizer: wrpnW, inputQuantizer: wrpnA, activation: 'relu' });
const depthwiseLayer = () =>
  qc.quantDepthwiseConv2d({ kernelSize: 2, kernelQuantizer: 'wrpn', inputQuantizer: wrpnA, padding: 'same' });
const activationLayer = () => qc.quantActivation({ activation: 'relu', outputQuantizer: wrpnA });

const denseTables = layerInstances(denseLayer, 'wrpn w4a4', [2, 4], 1, ['apply', 'integerForward']);
// Dense takes any rank >= 2 (the product is over the last axis): a rank-3 input is valid.
for (const t of denseTables) t.bad = t.bad!.filter((b) => b.label !== 'rank one higher');
const convTables = [...layerInstances(convLayer, 'wrpn w4a4', [1, 4, 4, 3], 3, ['apply', 'integerForward'])];
const depthwiseTables = layerInstances(depthwiseLayer, 'wrpn w4a4', [1, 4, 4, 2], 3, ['apply', 'integerForward']);
const activationTables = layerInstances(activationLayer, 'wrpn a4', [2, 3], 1);
// quantActivation has no channel count: a "wrong channel count" input is valid.
// quantActivation takes any rank >= 1 and has no channel count.
const anyShape = ['wrong channel count', 'rank one higher', 'rank one lower'];
for (const t of activationTables) t.bad = t.bad!.filter((b) => !anyShape.includes(b.label));

const seq = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });

const rng = () => new qc.SeededRng(1);

const quantizerConfigs: [string, () => qc.Quantizer][] = [
  ['uniform 8b', () => new qc.LowbitUniformQuantizer()],
  [
    'uniform 4b asymmetric per-channel',
    () => new qc.LowbitUniformQuantizer({ bits: 4, symmetric: false, perChannel: true }),
  ],
  ['uniform lsq', () => new qc.LowbitUniformQuantizer({ bits: 4, range: 'lsq' })],
  ['uniform ema', () => new qc.LowbitUniformQuantizer({ bits: 4, range: 'ema' })],
  ['uniform fixed range', () => new qc.LowbitUniformQuantizer({ bits: 4, range: [-1, 1] })],
  ['binary', () => new qc.LowbitBinaryQuantizer({ scaled: true })],
  ['ternary', () => new qc.LowbitTernaryQuantizer()],
  ['wrpn w1', () => new qc.LowbitWrpnQuantizer({ bits: 1 })],
  ['wrpn w4', () => new qc.LowbitWrpnQuantizer({ bits: 4 })],
  ['wrpn a4', () => new qc.LowbitWrpnQuantizer({ bits: 4, mode: 'activation' })],
  ['dorefa w1', () => new qc.LowbitDorefaQuantizer({ bits: 1 })],
  ['dorefa w2', () => new qc.LowbitDorefaQuantizer({ bits: 2 })],
  ['dorefa a3', () => new qc.LowbitDorefaQuantizer({ bits: 3, mode: 'activation' })],
  ['log2 auto', () => new qc.LowbitLogQuantizer()],
  ['log2 fsr 2 unsigned', () => new qc.LowbitLogQuantizer({ fsr: 2, signed: false })],
  ['log-sqrt2', () => new qc.LowbitLogSqrt2Quantizer()],
  ['linear-fsr', () => new qc.LowbitLinearFsrQuantizer()],
  ['linear-fsr fsr 0', () => new qc.LowbitLinearFsrQuantizer({ bits: 3, fsr: 0 })],
  ['wage weight', () => new qc.LowbitWageQuantizer({ bits: 2 })],
  ['wage activation stochastic', () => new qc.LowbitWageQuantizer({ mode: 'activation', stochastic: true })],
];

function quantizerSpec(configs: string[], valid: () => unknown[]): ExportSpec {
  return {
    valid,
    skip: { '0': ['undefined', '{}'] },
    instances: quantizerConfigs.filter(([l]) => configs.includes(l)).flatMap(([l, m]) => quantizerInstances(m, l)),
  };
}

export const quantCoreSpecs: PackageSpecs = {
  LowbitError: { acceptsAnything: 'an error class: any message' },
  LowbitConfigError: { acceptsAnything: 'an error class: describes any argument and value' },
  LowbitDataError: { acceptsAnything: 'an error class: any source and problem' },
  describeValue: { acceptsAnything: 'prints any value for error messages' },
  reportsPrecision: { acceptsAnything: 'a type guard: true or false for any value' },
  isLowbitLayer: { acceptsAnything: 'a type guard: true or false for any value' },

  checkInteger: { valid: () => ['n', 3, 0, 10] },
  checkFinite: { valid: () => ['x', 1.5, { min: 0, max: 2 }] },
  checkPositive: { valid: () => ['lr', 0.1] },
  checkOneOf: { valid: () => ['mode', 'a', ['a', 'b']], skip: { '2': ['[]'] } },
  checkBoolean: { valid: () => ['flag', true] },
  checkRange: { valid: () => ['range', [0, 1]] },
  checkRank: { valid: () => ['x', tf.zeros([2, 2]), [2]], nanPropagates: ECHO },
  checkKnownKeys: { valid: () => ['options', { a: 1 }, ['a']], skip: { '1': ['{}', '[]'] } },
  roundHalfEven: { valid: () => [2.5], nanPropagates: 'rounding.ts docs: NaN stays NaN, +-Infinity stay' },
  averageRanks: { valid: () => [[3, 1, 2, 2]], skip: { '0': ['[]'] } },
  spearman: {
    valid: () => [
      [1, 2, 3],
      [1, 3, 2],
    ],
    bad: [
      {
        label: 'constant scores',
        args: () => [
          [1, 1, 1],
          [1, 2, 3],
        ],
      },
    ],
  },
  QuantizedTensor: {
    valid: () => [{ codes: Int32Array.of(-1, 0, 1), shape: [3], bits: 2, signed: true, scale: [0.5] }],
  },
  packedByteLength: { valid: () => [10, 3] },
  packBits: { valid: () => [[1, 2, 3], 2], skip: { '0': ['[]'] } },
  unpackBits: { valid: () => [Uint8Array.of(0x39), 2, 3] },
  packSignedBits: { valid: () => [[-1, 0, 1], 2], skip: { '0': ['[]'] } },
  unpackSignedBits: { valid: () => [Uint8Array.of(0x13), 2, 3] },
  crc32: { valid: () => [Uint8Array.of(1, 2, 3)], skip: { '1': ['undefined'] } },

  calibrateMinMax: {
    valid: () => [ramp([4, 2]), { axis: 1 }],
    skip: { '1': ['undefined', '{}'], '1.axis': ['undefined'] },
  },
  calibratePercentile: { valid: () => [ramp([4, 2]), { percentile: 99 }], skip: { '1.axis': ['undefined'] } },
  calibrateMse: {
    valid: () => [ramp([4, 2]), { bits: 4, signed: true, candidates: 10 }],
    skip: { '1.candidates': ['undefined'] },
  },
  clippingMse: { valid: () => [[0.1, -0.5, 2], 1, { bits: 4, signed: true }] },
  channelMaxAbs: { valid: () => [[1, -2, 3, 0.5], 2], skip: { '0': ['[]'] } },
  ChannelMaxAbs: {
    valid: () => [2],
    instances: [
      {
        label: '2 channels',
        make: () => new qc.ChannelMaxAbs(2),
        method: 'update',
        valid: () => [ramp([3, 2])],
        skip: { '0': ['[]'] },
      },
    ],
  },

  registerKernelsOnce: { valid: () => [[], []], skip: { '0': ['[]'], '1': ['undefined', '[]'] } },

  Quantizer: { valid: () => [] },
  registerQuantizer: { valid: () => [LowbitSweepQuantizer, ['sweep-quantizer']], skip: { '1': ['undefined', '[]'] } },
  knownQuantizers: { valid: () => [] },
  registeredQuantizers: { valid: () => [] },
  getQuantizer: { valid: () => ['wrpn', 'kernelQuantizer'], skip: { '0': ['undefined', 'null'], '1': ['undefined'] } },
  serializeQuantizer: { valid: () => [new qc.LowbitWrpnQuantizer()], skip: { '0': ['null'] } },
  Arithmetic: { valid: () => [] },
  registerArithmetic: {
    valid: () => [LowbitSweepArithmetic, ['sweep-arithmetic']],
    skip: { '1': ['undefined', '[]'] },
  },
  getArithmetic: { valid: () => ['exact', 'arithmetic'], skip: { '0': ['undefined', 'null'], '1': ['undefined'] } },
  knownArithmetics: { valid: () => [] },
  registeredArithmetics: { valid: () => [] },
  serializeArithmetic: { valid: () => [new qc.LowbitExactArithmetic()] },
  incompatibleParts: {
    valid: () => [parts(), new qc.LowbitExactArithmetic(), 'kernelQuantizer', 'why'],
    openKeys: { 0: 'an arithmetic may pass its ProductContext (a superset of ProductParts)' },
  },
  centeredCodes: { valid: () => [qt(), [2, 2]] },
  LowbitExactArithmetic: { valid: () => [], skip: { '0': ['undefined', '{}'] } },
  exactProductGradients: {
    valid: () => ['dense', null, ramp([2, 3]), ramp([2, 4]), ramp([4, 3])],
    skip: { '1': ['undefined', 'null'] },
  },
  straightThroughProduct: {
    valid: () => [
      {
        ...parts(),
        input: ramp([2, 4]),
        kernel: ramp([4, 3]),
        rawKernel: ramp([4, 3]),
        geometry: null,
        training: false,
        exact: (a: tf.Tensor, k: tf.Tensor) => tf.matMul(a, k),
      },
      () => tf.zeros([2, 3]),
    ],
    skip: {
      '0.inputQuantizer': 'all',
      '0.kernelQuantizer': 'all',
      '0.layerName': 'all',
      '0.training': 'all',
      '0.rawKernel': 'all',
      '0.exact': 'all',
    },
    openKeys: { 0: 'a ProductContext: the arithmetic reads what it needs' },
  },
  operandPrecisions: {
    valid: () => [parts()],
    skip: { '0.layerName': 'all', '0.operation': 'all' },
    openKeys: { 0: 'ProductParts: only the quantizers are read' },
  },

  unaryCustomGrad: { valid: () => [(x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => dy })] },
  straightThrough: { valid: () => [ramp([2, 2]), (t: tf.Tensor) => tf.round(t)], nanPropagates: NAN_STE },
  roundSte: { valid: () => [ramp([2, 2])], nanPropagates: NAN_STE },
  floorSte: { valid: () => [ramp([2, 2])], nanPropagates: NAN_STE },
  clipSte: { valid: () => [ramp([2, 2]), -0.2, 0.2], nanPropagates: NAN_STE },
  signSte: { valid: () => [ramp([2, 2])], nanPropagates: NAN_STE },
  fakeQuantAffineAttrs: {
    valid: () => [ramp([2, 2]), { scale: 0.1, qmin: -7, qmax: 7 }, 'fq'],
    skip: { '2': ['undefined'] },
  },
  fakeQuantAffineComposed: {
    valid: () => [ramp([2, 2]), { scale: 0.1, qmin: -7, qmax: 7 }],
    nanPropagates: NAN_FQ,
    nanCase: () => [nanTensor([2, 2]), { scale: 0.1, qmin: -7, qmax: 7 }],
  },
  hasFusedFakeQuantAffine: { valid: () => [] },
  fakeQuantAffine: {
    valid: () => [ramp([2, 2]), { scale: [0.1, 0.2], zeroPoint: 1, qmin: -7, qmax: 7, axis: 1 }],
    nanPropagates: NAN_FQ,
    nanCase: () => [nanTensor([2, 2]), { scale: 0.1, qmin: -7, qmax: 7 }],
    skip: { '1.zeroPoint': ['undefined'] },
  },
  quantizeAffine: {
    valid: () => [ramp([2, 2]), { inverseScale: 7, qmin: -7, qmax: 7 }, { bits: 4, signed: true }],
    nanCase: () => [nanTensor([2, 2]), { scale: 0.1, qmin: -7, qmax: 7 }, { bits: 4, signed: true }],
  },

  LowbitQuantLayer: { bad: [{ label: 'an abstract class', args: () => [{ units: 2 }] }] },
  LowbitQuantConvLayer: { bad: [{ label: 'an abstract class', args: () => [{ filters: 2, kernelSize: 1 }] }] },
  LowbitQuantDense: {
    valid: () => [{ units: 3, kernelQuantizer: 'wrpn' }],
    skip: { '0.kernelQuantizer': ['undefined', 'null'] },
  },
  quantDense: {
    valid: () => [{ units: 3, activation: 'relu', kernelQuantizer: wrpnW, arithmetic: 'exact' }],
    instances: denseTables,
    skip: {
      '0.kernelQuantizer': ['undefined', 'null'],
      '0.arithmetic': ['undefined', 'null'],
      '0.activation': ['undefined', 'null'],
    },
  },
  denseProduct: { valid: () => [ramp([2, 4]), ramp([4, 3]), null, 'relu'], skip: { '2': ['undefined', 'null'] } },
  LowbitQuantConv2D: { valid: () => [{ filters: 2, kernelSize: 3 }] },
  quantConv2d: {
    valid: () => [{ filters: 2, kernelSize: 3, padding: 'same', kernelQuantizer: 'wrpn' }],
    instances: convTables,
    skip: { '0.kernelQuantizer': ['undefined', 'null'], '0.padding': ['undefined'] },
  },
  LowbitQuantDepthwiseConv2D: { valid: () => [{ kernelSize: 3 }] },
  quantDepthwiseConv2d: {
    valid: () => [{ kernelSize: 3, depthMultiplier: 2, kernelQuantizer: 'wrpn' }],
    instances: depthwiseTables,
    skip: { '0.kernelQuantizer': ['undefined', 'null'], '0.depthMultiplier': ['undefined'] },
  },
  LowbitQuantActivation: {
    valid: () => [{ activation: 'relu' }],
    skip: { '0': ['undefined', '{}'], '0.activation': ['undefined'] },
  },
  quantActivation: {
    valid: () => [{ activation: 'relu', outputQuantizer: wrpnA }],
    instances: activationTables,
    skip: { '0': ['undefined', '{}'], '0.activation': ['undefined'], '0.outputQuantizer': ['undefined', 'null'] },
  },
  registerLayerAlias: {
    valid: () => ['LowbitSweepOldLayer', (c: tf.serialization.ConfigDict) => qc.quantDense(c as never)],
  },
  layerAliases: { valid: () => [] },
  checkLayerInput: {
    valid: () => ['fc', ramp([2, 3]), { rank: 2, channelAxis: 1, channels: 3 }],
    skip: { '2.rank': ['undefined'], '2.channels': ['undefined', 'null'], '2.channelAxis': ['undefined'] },
  },
  quantizeModel: {
    valid: () => [seq(), { default: { weightBits: 4 } }],
    skip: { '1': ['{}'], '1.default': ['null'] },
    openKeys: { 1: 'keys are layer names or classes; a name no layer has is reported' },
  },

  checkBits: { valid: () => [4, 1, 'bits'], skip: { '1': ['undefined'], '2': ['undefined'] } },
  checkConfig: {
    valid: () => ['LowbitX', { bits: 4 }, ['bits']],
    skip: { '1': ['undefined', 'null', '{}'] },
    nanPropagates: ECHO,
  },
  maskedSte: { valid: () => [ramp([2, 2]), (t: tf.Tensor) => tf.round(t), 0, 1], nanPropagates: NAN_STE },
  signNoZero: { valid: () => [ramp([2, 2])] },
  signTimesMeanAbs: { valid: () => [ramp([2, 2])], nanPropagates: NAN_STE },
  quantizeSignTimesMeanAbs: { valid: () => [ramp([2, 2])], nanCase: () => [nanTensor([2, 2])] },
  checkFloatTensor: { valid: () => ['x', ramp([2])], nanPropagates: ECHO },
  wrpnGrid: { valid: () => [4, 'weight'] },
  LowbitWrpnQuantizer: quantizerSpec(['wrpn w1', 'wrpn w4', 'wrpn a4'], () => [{ bits: 4, mode: 'weight' }]),
  LowbitDorefaQuantizer: quantizerSpec(['dorefa w1', 'dorefa w2', 'dorefa a3'], () => [{ bits: 2, mode: 'weight' }]),
  mix32: { valid: () => [12345] },
  SeededRng: {
    valid: () => [7, 0],
    skip: { '0': ['undefined'], '1': ['undefined'] },
    instances: [
      { label: 'seed 7', make: rng, method: 'uniform', valid: () => [4], skip: { '0': ['1e9'] } },
      { label: 'seed 7', make: rng, method: 'uniformTensor', valid: () => [[2, 2]], skip: { '0': ['[]'] } },
      { label: 'seed 7', make: rng, method: 'bitsAt', valid: () => [3] },
    ],
  },
  stochasticRound: { valid: () => [ramp([2, 2]), rng()], nanPropagates: 'random.ts docs: NaN stays NaN' },
  shuffledIndices: { valid: () => [5, rng()], skip: { '0': ['1e9'] } },
  LowbitUniformQuantizer: quantizerSpec(
    ['uniform 8b', 'uniform 4b asymmetric per-channel', 'uniform lsq', 'uniform ema', 'uniform fixed range'],
    () => [
      {
        bits: 4,
        signed: true,
        symmetric: false,
        perChannel: true,
        axis: -1,
        range: 'ema',
        momentum: 0.9,
        stochastic: false,
        seed: 1,
      },
    ],
  ),
  calibrateFsr: { valid: () => [ramp([2, 2])] },
  LowbitLogQuantizer: quantizerSpec(['log2 auto', 'log2 fsr 2 unsigned'], () => [
    { bits: 4, base: 2, signed: true, fsr: 'auto' },
  ]),
  LowbitLogSqrt2Quantizer: quantizerSpec(['log-sqrt2'], () => [{ bits: 5, fsr: 1 }]),
  LowbitLinearFsrQuantizer: quantizerSpec(['linear-fsr', 'linear-fsr fsr 0'], () => [{ bits: 4, fsr: 'auto' }]),
  wageSigma: { valid: () => [4] },
  wageClip: { valid: () => [ramp([2, 2]), 4], nanPropagates: 'ops/wage.ts docs: tensors map NaN to NaN' },
  wageQ: { valid: () => [ramp([2, 2]), 4], nanPropagates: 'ops/wage.ts docs: tensors map NaN to NaN' },
  shiftPow2: { valid: () => [3], nanPropagates: 'ops/wage.ts docs: tensors map NaN to NaN (numbers throw)' },
  wageInitLimit: { valid: () => [2, 16] },
  wageAlpha: { valid: () => [2, 16] },
  wageQuantizeError: { valid: () => [ramp([2, 2]), 8], nanPropagates: 'ops/wage.ts docs: tensors map NaN to NaN' },
  wageQuantizeGradient: {
    valid: () => [ramp([2, 2]), 8, 1, rng()],
    nanPropagates: 'ops/wage.ts docs: tensors map NaN to NaN',
  },
  LowbitWageQuantizer: quantizerSpec(['wage weight', 'wage activation stochastic'], () => [
    { bits: 8, mode: 'activation', alpha: 1, stochastic: true, seed: 3 },
  ]),
  LowbitBinaryQuantizer: quantizerSpec(['binary'], () => [{ scaled: true }]),
  LowbitTernaryQuantizer: quantizerSpec(['ternary'], () => [{ threshold: 0.5 }]),
};

/** Files of quant-core owned by someone else right now (their findings are reported, not failed): none. */
export const quantCorePending: PendingTable = {};
