/**
 * The one place this package registers its kernels with tfjs, through quant-core's
 * `registerKernelsOnce` (idempotent, never replaces another registration). Runs when the package
 * is imported. The kernels are new names, not replacements of stock kernels, so registering after
 * a backend has initialised is fine. No gradients: the shift kernels run on integer codes, and
 * the arithmetics wrap them in `straightThroughProduct` (the gradient of the exact product).
 *
 * Registered: `LowbitShiftMatMul` and `LowbitShiftConv2D` for `cpu` (JS loops). Not for `wasm`:
 * there the ops compose tf ops, measured faster than a JS loop (see the package README).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { registerKernelsOnce } from '@lowbit/quant-core';
import { shiftConv2DCpuConfig } from './shift-conv2d-cpu.js';
import { shiftMatMulCpuConfig } from './shift-matmul-cpu.js';

const kernels: tf.KernelConfig[] = [shiftMatMulCpuConfig, shiftConv2DCpuConfig];

/** Registers the log-domain kernels not yet registered (done on import; safe to call again). */
export function registerLogDomainKernels(): void {
  registerKernelsOnce(kernels);
}

registerLogDomainKernels();
