/**
 * Conv2DBackpropFilter (the filter gradient of conv2d).
 *
 * - wasm (and the composed fallback for any backend): one forward conv2d with batch and channel
 *   axes swapped (`filterGradByConv`).
 * - cpu: a direct JS loop over (example, output pixel, tap, in-channel) with the out-channel loop
 *   innermost and contiguous, accumulating in float64 (zero inputs, common after ReLU, are
 *   skipped). On cpu, JS loops beat composed ops (measured: docs/results/training-kernels.md).
 *
 * Why: the stock wasm backend has no Conv2DBackpropFilter at all, and the stock cpu one takes
 * 84-97 s for one LeNet batch of 64 (docs/results/training-kernels.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import {
  checkConvAttrs,
  checkGeometry,
  checkInt,
  checkShapeIs,
  checkTensor4D,
  checkValues,
  convInfo,
} from '../check.js';
import { composedKernel, shapeToNhwc, toNhwc } from './composed-kernel.js';
import { filterGradByConvUnchecked } from './filter-grad-by-conv.js';
import { geometry, type Geometry } from './patches.js';

function conv2dInfo(xNhwcShape: [number, number, number, number], attrs: tf.Conv2DBackpropFilterAttrs) {
  const { strides, pad, dimRoundingMode, filterShape } = attrs;
  return tf.backend_util.computeConv2DInfo(
    xNhwcShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * The filter gradient from tf ops only (runs on any backend): `x` and `dy` float32, in
 * `attrs.dataFormat` (default NHWC); returns dW `attrs.filterShape`. Bad tensors or attrs (a
 * shape that does not fit the convolution, an unknown key) throw LowbitConfigError.
 *
 * ```ts
 * const dW = conv2dBackpropFilterComposed(x, dy, { strides: 1, pad: 'same', filterShape: [3, 3, 1, 8] });
 * ```
 */
export function conv2dBackpropFilterComposed(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.Tensor4D {
  const fn = 'conv2dBackpropFilterComposed';
  checkTensor4D(`${fn}(x)`, x);
  checkTensor4D(`${fn}(dy)`, dy);
  const a = checkConvAttrs(fn, attrs, 'filterShape', false) as unknown as tf.Conv2DBackpropFilterAttrs;
  const xShape = shapeToNhwc(x.shape, a.dataFormat);
  const [, , ci, co] = a.filterShape;
  if (xShape[3] !== ci)
    throw new LowbitConfigError(`${fn}(x)`, x, `expected ${ci} channels (attrs.filterShape[2]), got ${xShape[3]}`);
  const info = convInfo(fn, a as unknown as Record<string, unknown>, () => conv2dInfo(xShape, a));
  const dyNhwc = [xShape[0], info.outHeight, info.outWidth, co];
  checkShapeIs(`${fn}(dy)`, dy, a.dataFormat === 'NCHW' ? [dyNhwc[0], co, dyNhwc[1], dyNhwc[2]] : dyNhwc);
  return tf.tidy(() => filterGradComposed(x, dy, a));
}

function filterGradComposed(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: tf.Conv2DBackpropFilterAttrs): tf.Tensor4D {
  const xs = toNhwc(x, attrs.dataFormat);
  const dys = toNhwc(dy, attrs.dataFormat);
  return filterGradByConvUnchecked(xs, dys, geometry(conv2dInfo(xs.shape, attrs)));
}

/**
 * The filter gradient as a JS loop over NHWC arrays (`x` [batch, inHeight, inWidth, inChannels],
 * `dy` [batch, outHeight, outWidth, outChannels]); returns dW [fh, fw, ci, co] (float32). A
 * geometry that does not fit the arrays throws LowbitConfigError.
 *
 * ```ts
 * const dW = conv2dBackpropFilterLoop(xValues, dyValues, geometry(convInfo), 8);
 * ```
 */
export function conv2dBackpropFilterLoop(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: Geometry,
  outChannels: number,
): Float32Array {
  const fn = 'conv2dBackpropFilterLoop';
  const geo = checkGeometry(`${fn}(g)`, g);
  checkInt(`${fn}(outChannels)`, outChannels, 1);
  checkValues(`${fn}(x)`, x, geo.batch * geo.inHeight * geo.inWidth * geo.inChannels);
  checkValues(`${fn}(dy)`, dy, geo.batch * geo.outHeight * geo.outWidth * outChannels);
  return filterGradLoop(x, dy, geo, outChannels);
}

function filterGradLoop(x: ArrayLike<number>, dy: ArrayLike<number>, g: Geometry, outChannels: number): Float32Array {
  const { batch, inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow } = g;
  const {
    filterHeight: fh,
    filterWidth: fw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = g;
  const co = outChannels;
  const acc = new Float64Array(fh * fw * ci * co);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const dyOff = ((b * oh + oy) * ow + ox) * co;
        for (let i = 0; i < fh; i++) {
          const iy = oy * sh + i * dh - g.padTop;
          if (iy < 0 || iy >= H) continue;
          for (let j = 0; j < fw; j++) {
            const ix = ox * sw + j * dw - g.padLeft;
            if (ix < 0 || ix >= W) continue;
            const xOff = ((b * H + iy) * W + ix) * ci;
            const wOff = (i * fw + j) * ci * co;
            for (let c = 0; c < ci; c++) {
              const v = x[xOff + c];
              if (v === 0) continue;
              const o = wOff + c * co;
              for (let k = 0; k < co; k++) acc[o + k] += v * dy[dyOff + k];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}

const composedImpl = ({ x, dy }: Record<string, tf.Tensor>, attrs: tf.Conv2DBackpropFilterAttrs) =>
  filterGradComposed(x as tf.Tensor4D, dy as tf.Tensor4D, attrs);

const composedCpu = composedKernel(tf.Conv2DBackpropFilter, 'cpu', composedImpl);

export const conv2dBackpropFilterCpuConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: (args) => {
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32')
      return composedCpu.kernelFunc(args);
    const backend = args.backend as tf.KernelBackend;
    const info = conv2dInfo(x.shape as [number, number, number, number], attrs);
    const values = filterGradLoop(
      backend.readSync(x.dataId) as Float32Array,
      backend.readSync(dy.dataId) as Float32Array,
      geometry(info),
      info.outChannels,
    );
    return (
      backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }
    ).makeTensorInfo(attrs.filterShape, 'float32', values);
  },
};

/** The general wasm path (any layer); the registered `conv2dBackpropFilterWasmConfig` adds a SIMD loop for small first layers. */
export const conv2dBackpropFilterWasmComposedConfig = composedKernel(tf.Conv2DBackpropFilter, 'wasm', composedImpl);
