/**
 * training-kernels: every function of the main entry, the low-level ones (the composed gradients,
 * the JS loops over geometries, the patch kernels) included. The kernel configs are constants;
 * the one kernel called without a tfjs op in front (`LowbitExtractPatches`, through
 * `runKernel`) is swept through `extractPatchesKernelFunc`'s instance tables.
 *
 * Process-wide effects: `registerTrainingKernels` / `restoreStockKernels` only touch the cpu
 * and wasm kernel registry (the valid calls name `'cpu'`; the restore runs after the register,
 * in export order). `selectBackend` gets loaders that fail for tensorflow and wasm, so it can only
 * start cpu, the backend the sweep runs on; its bad options are also tried without loaders (they
 * are checked before any backend is touched).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tk from '@lowbit/training-kernels';
import { ramp } from './fixtures.js';
import type { PackageSpecs } from './spec.js';

/** A 3x3 'same' conv over a [2, 4, 4, 2] input with 3 out-channels, stride 1. */
const convGeometry = () => ({
  batch: 2,
  inHeight: 4,
  inWidth: 4,
  inChannels: 2,
  outHeight: 4,
  outWidth: 4,
  filterHeight: 3,
  filterWidth: 3,
  strideHeight: 1,
  strideWidth: 1,
  dilationHeight: 1,
  dilationWidth: 1,
  padTop: 1,
  padLeft: 1,
});
const values = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i % 7) - 3) * 0.1);

/** 2x2 stride-2 pooling of [1, 4, 4, 2]. */
const poolGeometry = () => ({
  batch: 1,
  inHeight: 4,
  inWidth: 4,
  channels: 2,
  outHeight: 2,
  outWidth: 2,
  filterHeight: 2,
  filterWidth: 2,
  strideHeight: 2,
  strideWidth: 2,
  padTop: 0,
  padLeft: 0,
});

/** 3x3 'same' patches of [1, 4, 4, 2]: [1, 4, 4, 18]. */
const patchAttrs = () => ({ kh: 3, kw: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, outH: 4, outW: 4 });

const cpuIo = () => ({
  read: (backend: unknown, info: tf.TensorInfo) => (backend as tf.KernelBackend).readSync(info.dataId) as Float32Array,
  write: (backend: unknown, shape: number[], v: Float32Array) =>
    (backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(
      shape,
      'float32',
      v,
    ),
});

/** A tensor of a kernel's output, made from the TensorInfo the kernel returns (so it is disposed). */
const asTensor = (info: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(info, tf.backend());

const filterAttrs = () => ({ strides: 1, pad: 'same', filterShape: [3, 3, 2, 3], dataFormat: 'NHWC' });
const inputAttrs = () => ({ strides: 1, pad: 'same', inputShape: [2, 4, 4, 2], dataFormat: 'NHWC' });
const dwFilterAttrs = () => ({ strides: 1, dilations: 1, pad: 'same', filterShape: [3, 3, 2, 2] });
const dwInputAttrs = () => ({ strides: 1, dilations: 1, pad: 'same', inputShape: [2, 4, 4, 2] });

const failingLoaders = () => ({
  tensorflow: () => Promise.reject(new Error('not in this sweep')),
  wasm: () => Promise.reject(new Error('not in this sweep')),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
});

export const trainingKernelsSpecs: PackageSpecs = {
  selectBackend: {
    noGeneric: 'with no loaders it may start tfjs-node or wasm, which would switch the whole process',
    valid: () => [{ prefer: 'cpu', log: false, threads: 1 }, failingLoaders()],
    // no loaders: the default ones, which may start tfjs-node or wasm in this process
    skip: { '1': ['undefined'] },
    bad: [
      { label: "options 'nope'", args: () => ['nope'] },
      { label: 'options null', args: () => [null] },
      { label: 'unknown option', args: () => [{ prefr: 'cpu' }] },
      { label: "prefer 'nope'", args: () => [{ prefer: 'nope' }] },
      { label: 'threads 0', args: () => [{ threads: 0 }] },
      { label: 'threads 9', args: () => [{ threads: 9 }] },
      { label: "log 'yes'", args: () => [{ log: 'yes' }] },
      { label: 'a loader missing', args: () => [{ prefer: 'cpu', log: false }, { cpu: failingLoaders().cpu }] },
    ],
  },
  registerTrainingKernels: {
    valid: () => [{ backends: ['cpu'] }],
    bad: [
      { label: "backends ['gpu']", args: () => [{ backends: ['gpu'] }] },
      { label: 'backends []', args: () => [{ backends: [] }] },
    ],
  },
  restoreStockKernels: {
    valid: () => [{ backends: ['cpu'] }],
    bad: [{ label: "backends ['gpu']", args: () => [{ backends: ['gpu'] }] }],
  },
  isTrainingKernelRegistered: {
    valid: () => ['Conv2DBackpropFilter', 'cpu'],
    bad: [{ label: "backend 'webgl'", args: () => ['Conv2DBackpropFilter', 'webgl'] }],
  },
  registerExtractPatches: { valid: () => [] },
  enableWasmThreadsInNode: { valid: () => [] },
  wasmWorkersStarted: { valid: () => [] },
  withWasmThreadPool: {
    valid: () => [1, () => Promise.resolve(1)],
    bad: [
      { label: 'threads 0', args: () => [0, () => Promise.resolve(1)] },
      { label: 'threads 1.5', args: () => [1.5, () => Promise.resolve(1)] },
    ],
  },
  composedKernel: {
    valid: () => ['LowbitSweepComposed', 'cpu', (inputs: Record<string, tf.Tensor>) => inputs.x!],
  },

  conv2dBackpropFilterComposed: {
    valid: () => [ramp([2, 4, 4, 2]), ramp([2, 4, 4, 3]), filterAttrs()],
    bad: [
      { label: 'dy of the wrong shape', args: () => [ramp([2, 4, 4, 2]), ramp([2, 3, 4, 3]), filterAttrs()] },
      { label: 'x of the wrong channels', args: () => [ramp([2, 4, 4, 1]), ramp([2, 4, 4, 3]), filterAttrs()] },
      {
        label: "filter larger than the input, 'valid'",
        args: () => [
          ramp([2, 4, 4, 2]),
          ramp([2, 1, 1, 3]),
          { ...filterAttrs(), pad: 'valid', filterShape: [5, 5, 2, 3] },
        ],
      },
      {
        label: 'NCHW x of NHWC shape',
        args: () => [ramp([2, 4, 4, 2]), ramp([2, 4, 4, 3]), { ...filterAttrs(), dataFormat: 'NCHW' }],
      },
      { label: 'int32 x', args: () => [tf.zeros([2, 4, 4, 2], 'int32'), ramp([2, 4, 4, 3]), filterAttrs()] },
    ],
  },
  conv2dBackpropInputComposed: {
    valid: () => [ramp([2, 4, 4, 3]), ramp([3, 3, 2, 3]), inputAttrs()],
    bad: [
      { label: 'dy of the wrong shape', args: () => [ramp([2, 4, 3, 3]), ramp([3, 3, 2, 3]), inputAttrs()] },
      { label: 'filter of the wrong in-channels', args: () => [ramp([2, 4, 4, 3]), ramp([3, 3, 1, 3]), inputAttrs()] },
      { label: 'stride 0', args: () => [ramp([2, 4, 4, 3]), ramp([3, 3, 2, 3]), { ...inputAttrs(), strides: 0 }] },
    ],
  },
  depthwiseBackpropFilterComposed: {
    valid: () => [ramp([2, 4, 4, 2]), ramp([2, 4, 4, 4]), dwFilterAttrs()],
    bad: [
      { label: 'dy of the wrong channels', args: () => [ramp([2, 4, 4, 2]), ramp([2, 4, 4, 2]), dwFilterAttrs()] },
      {
        label: 'dilations 0',
        args: () => [ramp([2, 4, 4, 2]), ramp([2, 4, 4, 4]), { ...dwFilterAttrs(), dilations: 0 }],
      },
    ],
  },
  depthwiseBackpropInputComposed: {
    valid: () => [ramp([2, 4, 4, 4]), ramp([3, 3, 2, 2]), dwInputAttrs()],
    bad: [
      { label: 'filter of the wrong channels', args: () => [ramp([2, 4, 4, 4]), ramp([3, 3, 1, 2]), dwInputAttrs()] },
      { label: "pad 'full'", args: () => [ramp([2, 4, 4, 4]), ramp([3, 3, 2, 2]), { ...dwInputAttrs(), pad: 'full' }] },
    ],
  },
  filterGradByConv: {
    valid: () => [ramp([2, 4, 4, 2]), ramp([2, 4, 4, 3]), convGeometry()],
    bad: [
      { label: 'x of another batch', args: () => [ramp([1, 4, 4, 2]), ramp([2, 4, 4, 3]), convGeometry()] },
      {
        label: 'padTop 3 (beyond the filter)',
        args: () => [ramp([2, 4, 4, 2]), ramp([2, 4, 4, 3]), { ...convGeometry(), padTop: 3 }],
      },
    ],
  },
  conv2dBackpropFilterLoop: {
    valid: () => [values(2 * 4 * 4 * 2), values(2 * 4 * 4 * 3), convGeometry(), 3],
    bad: [
      { label: 'x one value short', args: () => [values(63), values(96), convGeometry(), 3] },
      { label: 'filterHeight 1e9', args: () => [values(64), values(96), { ...convGeometry(), filterHeight: 1e9 }, 3] },
      {
        label: 'outHeight past the input',
        args: () => [values(64), values(144), { ...convGeometry(), outHeight: 6 }, 3],
      },
      { label: 'strings in x', args: () => [Array.from({ length: 64 }, () => 'a'), values(96), convGeometry(), 3] },
    ],
  },
  maxPoolGradLoop: {
    valid: () => [values(32), values(8), poolGeometry()],
    bad: [
      { label: 'dy one value long', args: () => [values(32), values(9), poolGeometry()] },
      { label: 'filterWidth 1e9', args: () => [values(32), values(8), { ...poolGeometry(), filterWidth: 1e9 }] },
    ],
  },
  extractPatchesLoop: {
    valid: () => [values(32), [1, 4, 4, 2], patchAttrs()],
    bad: [
      { label: 'outH 1e9', args: () => [values(32), [1, 4, 4, 2], { ...patchAttrs(), outH: 1e9 }] },
      { label: 'xShape of rank 3', args: () => [values(32), [4, 4, 2], patchAttrs()] },
    ],
  },
  extractPatchesGradLoop: {
    valid: () => [values(4 * 4 * 18), [1, 4, 4, 2], patchAttrs()],
    bad: [{ label: 'dy of the forward input size', args: () => [values(32), [1, 4, 4, 2], patchAttrs()] }],
  },
  extractPatchesKernelFunc: {
    valid: () => [cpuIo(), false],
    instances: [
      {
        label: 'cpu forward',
        make: () => ({
          run: (args: Parameters<tf.KernelFunc>[0]) =>
            asTensor(tk.extractPatchesKernelFunc(cpuIo(), false)(args) as tf.TensorInfo),
        }),
        method: 'run',
        valid: () => [{ inputs: { x: ramp([1, 4, 4, 2]) }, backend: tf.backend(), attrs: patchAttrs() }],
        // the kernel's arguments are tfjs's { inputs, backend, attrs }: it reads the ones it needs
        skip: { '0.backend': 'all' },
        openKeys: { 0: 'tfjs kernel arguments: the engine may pass more than inputs, backend, attrs' },
        bad: [
          {
            label: 'int32 x',
            args: () => [
              { inputs: { x: tf.zeros([1, 4, 4, 2], 'int32') }, backend: tf.backend(), attrs: patchAttrs() },
            ],
          },
          {
            label: 'outW 1e9',
            args: () => [
              { inputs: { x: ramp([1, 4, 4, 2]) }, backend: tf.backend(), attrs: { ...patchAttrs(), outW: 1e9 } },
            ],
          },
        ],
      },
      {
        label: 'cpu gradient',
        make: () => ({
          run: (args: Parameters<tf.KernelFunc>[0]) =>
            asTensor(tk.extractPatchesKernelFunc(cpuIo(), true)(args) as tf.TensorInfo),
        }),
        method: 'run',
        valid: () => [
          {
            inputs: { dy: ramp([1, 4, 4, 18]) },
            backend: tf.backend(),
            attrs: { ...patchAttrs(), xShape: [1, 4, 4, 2] },
          },
        ],
        skip: { '0.backend': 'all' },
        openKeys: { 0: 'tfjs kernel arguments: the engine may pass more than inputs, backend, attrs' },
        bad: [
          {
            label: 'dy of another shape',
            args: () => [
              {
                inputs: { dy: ramp([1, 4, 4, 9]) },
                backend: tf.backend(),
                attrs: { ...patchAttrs(), xShape: [1, 4, 4, 2] },
              },
            ],
          },
          {
            label: 'no xShape',
            args: () => [{ inputs: { dy: ramp([1, 4, 4, 18]) }, backend: tf.backend(), attrs: patchAttrs() }],
          },
        ],
      },
    ],
  },
};
