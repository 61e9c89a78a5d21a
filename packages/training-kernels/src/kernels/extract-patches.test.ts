import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { registerExtractPatches } from '../register.js';
import { EXTRACT_PATCHES, type ExtractPatchesAttrs } from './extract-patches.js';

registerExtractPatches();

/** tfjs's output size and leading padding of one axis for a (dilated) kernel. */
function axis(size: number, k: number, stride: number, dilation: number, same: boolean): [number, number] {
  const extent = (k - 1) * dilation + 1;
  if (!same) return [Math.ceil((size - extent + 1) / stride), 0];
  const out = Math.ceil(size / stride);
  return [out, Math.floor(Math.max((out - 1) * stride + extent - size, 0) / 2)];
}

function patchesOf(x: tf.Tensor4D, k: number, stride: number, dilation: number, same: boolean): tf.Tensor4D {
  const [outH, padTop] = axis(x.shape[1], k, stride, dilation, same);
  const [outW, padLeft] = axis(x.shape[2], k, stride, dilation, same);
  const attrs: ExtractPatchesAttrs = {
    kh: k,
    kw: k,
    strideH: stride,
    strideW: stride,
    dilationH: dilation,
    dilationW: dilation,
    padTop,
    padLeft,
    outH,
    outW,
  };
  return tf.engine().runKernel(EXTRACT_PATCHES, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

describe('LowbitExtractPatches (cpu)', () => {
  it('patches times the reshaped kernel is tf.conv2d, for strides, padding and dilation', () => {
    expect(tf.getKernel(EXTRACT_PATCHES, 'cpu')).toBeDefined();
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => ((i * 37) % 23) - 11),
      [2, 7, 6, 3],
    );
    const w = tf.tensor4d(
      Float32Array.from({ length: 3 * 3 * 3 * 2 }, (_, i) => ((i * 5) % 7) - 3),
      [3, 3, 3, 2],
    );
    for (const [stride, dilation] of [
      [1, 1],
      [2, 1],
      [1, 2],
    ]) {
      for (const same of [false, true]) {
        const patches = patchesOf(x, 3, stride!, dilation!, same);
        const [b, oh, ow, p] = patches.shape;
        const viaPatches = tf.reshape(tf.matMul(tf.reshape(patches, [b * oh * ow, p]), tf.reshape(w, [p, 2])), [
          b,
          oh,
          ow,
          2,
        ]);
        const conv = tf.conv2d(x, w, stride!, same ? 'same' : 'valid', 'NHWC', dilation!);
        expect(viaPatches.shape).toEqual(conv.shape);
        expect(Array.from(viaPatches.dataSync())).toEqual(Array.from(conv.dataSync()));
        tf.dispose([patches, viaPatches, conv]);
      }
    }
    tf.dispose([x, w]);
  });

  it('gradient: each pixel receives the upstream gradients of its copies; no leaks', () => {
    const x = tf.ones([1, 5, 5, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    // 3x3 'valid', stride 2: corners are copied once, the centre four times.
    const g = tf.grad((v: tf.Tensor) => tf.sum(patchesOf(v as tf.Tensor4D, 3, 2, 1, false)))(x);
    expect(Array.from(g.dataSync())).toEqual([
      1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 2, 2, 4, 2, 2, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1,
    ]);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    registerExtractPatches(); // idempotent
    x.dispose();
  });
});
