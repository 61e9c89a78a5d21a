/** Spec tables of @lowbit/log-domain's main entry. */
import * as tf from '@tensorflow/tfjs-core';
import * as ld from '@lowbit/log-domain';
import * as qc from '@lowbit/quant-core';
import { layerInstances } from './specs-quant-core.js';
import type { PackageSpecs } from './spec.js';

const codes = (shape: number[], max = 3) => {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Int32Array.from({ length: size }, (_, i) => ((i * 7) % (2 * max + 1)) - max),
    shape,
    'int32',
  );
};
const pow2Q = () =>
  new qc.QuantizedTensor({
    codes: Int32Array.of(-2, 0, 1, 3),
    shape: [4],
    bits: 3,
    signed: true,
    scale: [0.25],
    encoding: 'pow2',
  });

const logDenseLayer = (arithmetic: string) => () => ld.logDense({ units: 3, weightBits: 4, inputBits: 4, arithmetic });
const logConvLayer = (arithmetic: string) => () =>
  ld.logConv2d({ filters: 2, kernelSize: 2, weightBits: 4, inputBits: 4, arithmetic });

export const logDomainSpecs: PackageSpecs = {
  decodeUnits: { valid: () => [codes([2, 3]), 'pow2'] },
  shiftMatMul: {
    valid: () => [
      codes([2, 3]),
      codes([3, 2]),
      { aKind: 'pow2', bKind: 'int', scale: 0.5, implementation: 'fallback' },
    ],
    skip: { '2.scale': ['undefined'], '2.implementation': ['undefined'] },
  },
  shiftConv2d: {
    valid: () => [
      codes([1, 4, 4, 2]),
      codes([2, 2, 2, 3]),
      { xKind: 'int', filterKind: 'pow2', strides: 1, pad: 'same', dilations: 1 },
    ],
    skip: { '2.strides': ['undefined'], '2.pad': ['undefined'], '2.dilations': ['undefined'] },
  },
  shiftDepthwiseConv2d: {
    valid: () => [
      codes([1, 4, 4, 2]),
      codes([2, 2, 2, 1]),
      { xKind: 'int', filterKind: 'pow2', strides: 1, pad: 'valid' },
    ],
    skip: { '2.strides': ['undefined'], '2.pad': ['undefined'] },
  },
  LowbitShiftArithmetic: { valid: () => [], skip: { '0': ['undefined', 'null', '{}'] } },
  LowbitLogAccumulateArithmetic: {
    valid: () => [{ fracBits: 3 }],
    skip: { '0': ['undefined', 'null', '{}'], '0.fracBits': ['undefined'] },
  },
  logDense: {
    valid: () => [{ units: 3, weightBits: 4, inputBits: 4, base: 'sqrt2', arithmetic: 'shift' }],
    skip: {
      '0.weightBits': ['undefined'],
      '0.inputBits': ['undefined'],
      '0.base': ['undefined'],
      '0.arithmetic': ['undefined', 'null'],
    },
    instances: [
      ...layerInstances(logDenseLayer('shift'), "'shift'", [2, 4], 1, ['apply', 'integerForward']),
      ...layerInstances(logDenseLayer('log-accumulate'), "'log-accumulate'", [2, 4], 1, ['apply', 'integerForward']),
    ],
  },
  logConv2d: {
    valid: () => [{ filters: 2, kernelSize: 2, weightBits: 4, inputBits: 4, arithmetic: 'shift' }],
    skip: { '0.weightBits': ['undefined'], '0.inputBits': ['undefined'], '0.arithmetic': ['undefined', 'null'] },
    instances: [
      ...layerInstances(logConvLayer('shift'), "'shift'", [1, 4, 4, 2], 3, ['apply', 'integerForward']),
      ...layerInstances(logConvLayer('log-accumulate'), "'log-accumulate'", [1, 4, 4, 2], 3, [
        'apply',
        'integerForward',
      ]),
    ],
  },
  decodeShiftCode: { valid: () => [3, 'pow2-sqrt2'] },
  shiftKindOf: { valid: () => [pow2Q()] },
  logAddTable: { valid: () => [3] },
  logAdd: { valid: () => [8, 5, ld.logAddTable(3)] },
  logDomainMatMul: {
    valid: () => [codes([2, 3]), codes([3, 2]), { aKind: 'pow2', bKind: 'pow2', fracBits: 3, scale: 1 }],
    skip: { '2.scale': ['undefined'] },
  },
};

// Dense layers take any rank >= 2.
for (const t of logDomainSpecs.logDense!.instances!) t.bad = t.bad!.filter((b) => b.label !== 'rank one higher');

export const logDomainPending = {};
