import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { LowbitConfigError } from '../errors.js';
import { registerKernelsOnce } from './register-kernels-once.js';

describe('registerKernelsOnce', () => {
  it('registers once and never replaces a kernel or gradient registered before', () => {
    const first: tf.KernelConfig = {
      kernelName: 'LowbitTestOnce',
      backendName: 'cpu',
      kernelFunc: () => ({}) as never,
    };
    const second: tf.KernelConfig = { ...first, kernelFunc: () => ({}) as never };
    const grad: tf.GradConfig = { kernelName: 'LowbitTestOnce', gradFunc: () => ({}) };
    registerKernelsOnce([first], [grad]);
    registerKernelsOnce([second], [{ ...grad, gradFunc: () => ({}) }]);
    expect(tf.getKernel('LowbitTestOnce', 'cpu')?.kernelFunc).toBe(first.kernelFunc);
    expect(tf.getGradient('LowbitTestOnce')?.gradFunc).toBe(grad.gradFunc);
    tf.unregisterKernel('LowbitTestOnce', 'cpu');
    tf.unregisterGradient('LowbitTestOnce');
  });

  it('rejects anything but arrays of configs, before registering any of them', () => {
    const ok: tf.KernelConfig = {
      kernelName: 'LowbitTestRejected',
      backendName: 'cpu',
      kernelFunc: () => ({}) as never,
    };
    expect(() => registerKernelsOnce(undefined as never)).toThrow(/kernels = undefined is invalid/);
    expect(() => registerKernelsOnce([], {} as never)).toThrow(/gradients = .* is invalid/);
    expect(() => registerKernelsOnce([ok, { kernelName: 'X' } as never])).toThrow(/kernels\[1\] = .* is invalid/);
    expect(() => registerKernelsOnce([ok], [null as never])).toThrow(LowbitConfigError);
    expect(tf.getKernel('LowbitTestRejected', 'cpu')).toBeUndefined();
  });
});
