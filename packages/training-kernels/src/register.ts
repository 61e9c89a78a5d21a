/**
 * Registers the replacement training kernels (one place, as tfjs does).
 *
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerTrainingKernels } from '@lowbit/training-kernels';
 * registerTrainingKernels({ backends: ['wasm'] }); // before the first op / tf.setBackend
 * await tf.setBackend('wasm');
 * ```
 *
 * For each kernel it unregisters the stock one (when there is one) and registers ours, keeping
 * the stock `setupFunc`/`disposeFunc` so the backend's initialisation stays as it was. Calling it
 * again is a no-op. `restoreStockKernels` puts the stock kernels back (for side-by-side benches).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { conv2dBackpropFilterCpuConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter-wasm.js';
import { depthwiseBackpropFilterWasmConfig } from './kernels/depthwise-backprop-filter.js';
import { depthwiseBackpropInputWasmConfig } from './kernels/depthwise-backprop-input.js';
import { maxPoolGradCpuConfig, maxPoolGradWasmConfig } from './kernels/max-pool-grad.js';
import { conv2dBackpropInputGemmWasmConfig } from './kernels/conv2d-backprop-input-gemm.js';
import { identityWasmConfig } from './kernels/identity-wasm.js';
import { sumWasmConfig } from './kernels/sum-wasm.js';
import { tileWasmConfig } from './kernels/tile-wasm.js';
import { batchMatMulWasmConfig } from './kernels/batch-mat-mul-wasm.js';
import { extractPatchesCpuConfig, extractPatchesGradCpuConfig } from './kernels/extract-patches-cpu.js';
import { extractPatchesGradConfig } from './kernels/extract-patches.js';
import { extractPatchesGradWasmConfig, extractPatchesWasmConfig } from './kernels/extract-patches-wasm.js';
import { forgetStock, hasStock, rememberStock, stockKernel } from './stock-kernels.js';

export type TrainingBackend = 'cpu' | 'wasm';
export const TRAINING_BACKENDS: readonly TrainingBackend[] = ['cpu', 'wasm'];

/**
 * The kernels registered per backend: where the stock kernel is missing, or measured slower than
 * ours in a LeNet training step (README.md, "What it registers"). The other configs in this
 * package (e.g. Conv2DBackpropInput) are exported for anyone who wants them, not registered.
 */
export const TRAINING_KERNELS: Readonly<Record<TrainingBackend, readonly tf.KernelConfig[]>> = {
  cpu: [conv2dBackpropFilterCpuConfig, maxPoolGradCpuConfig],
  wasm: [
    conv2dBackpropFilterWasmConfig,
    conv2dBackpropInputGemmWasmConfig,
    depthwiseBackpropFilterWasmConfig,
    depthwiseBackpropInputWasmConfig,
    batchMatMulWasmConfig,
    maxPoolGradWasmConfig,
    identityWasmConfig,
    sumWasmConfig,
    tileWasmConfig,
  ],
};

export interface RegisterOptions {
  /** Backends to patch. Default: both 'cpu' and 'wasm'. */
  backends?: readonly TrainingBackend[];
}

/** What registering did, per backend: kernels replaced, kernels added where none existed. */
export interface RegisterReport {
  replaced: string[];
  added: string[];
  alreadyRegistered: string[];
}

const key = (k: tf.KernelConfig) => `${k.backendName}/${k.kernelName}`;

function checkBackends(fn: string, options: unknown): readonly TrainingBackend[] {
  if (options === undefined) return TRAINING_BACKENDS;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new LowbitConfigError(`${fn}(options)`, options, "expected an object like { backends: ['wasm'] }");
  }
  for (const k of Object.keys(options)) {
    if (k !== 'backends')
      throw new LowbitConfigError(
        `${fn}(options).${k}`,
        (options as Record<string, unknown>)[k],
        'unknown option; known options: backends',
      );
  }
  const { backends = TRAINING_BACKENDS } = options as RegisterOptions;
  if (!Array.isArray(backends) || backends.length === 0 || !backends.every((b) => TRAINING_BACKENDS.includes(b))) {
    throw new LowbitConfigError('backends', backends, "expected a non-empty array of 'cpu' and/or 'wasm'");
  }
  return backends;
}

/** Replaces the stock training kernels of the given backends with ours. Idempotent. */
export function registerTrainingKernels(options?: RegisterOptions): RegisterReport {
  const backends = checkBackends('registerTrainingKernels', options);
  const report: RegisterReport = { replaced: [], added: [], alreadyRegistered: [] };
  for (const backend of backends) {
    for (const ours of TRAINING_KERNELS[backend]) {
      const id = key(ours);
      const current = tf.getKernel(ours.kernelName, backend);
      if (current?.kernelFunc === ours.kernelFunc) {
        report.alreadyRegistered.push(id);
        continue;
      }
      rememberStock(ours.kernelName, backend, current);
      if (current) tf.unregisterKernel(ours.kernelName, backend);
      tf.registerKernel({ ...ours, setupFunc: current?.setupFunc, disposeFunc: current?.disposeFunc });
      (current ? report.replaced : report.added).push(id);
    }
  }
  return report;
}

/** Puts back the stock kernels that `registerTrainingKernels` replaced (and removes added ones). */
export function restoreStockKernels(options?: RegisterOptions): void {
  const backends = checkBackends('restoreStockKernels', options);
  for (const backend of backends) {
    for (const ours of TRAINING_KERNELS[backend]) {
      if (!hasStock(ours.kernelName, backend)) continue;
      const current = tf.getKernel(ours.kernelName, backend);
      if (current?.kernelFunc !== ours.kernelFunc) continue;
      tf.unregisterKernel(ours.kernelName, backend);
      const original = stockKernel(ours.kernelName, backend);
      if (original) tf.registerKernel(original);
      forgetStock(ours.kernelName, backend);
    }
  }
}

/**
 * True when our kernel is the one registered for `kernelName` on `backend` (`'cpu'` or
 * `'wasm'`; anything else throws LowbitConfigError).
 *
 * ```ts
 * isTrainingKernelRegistered('Conv2DBackpropFilter', 'cpu'); // true after registerTrainingKernels()
 * ```
 */
export function isTrainingKernelRegistered(kernelName: string, backend: TrainingBackend): boolean {
  if (typeof kernelName !== 'string' || kernelName.length === 0)
    throw new LowbitConfigError('kernelName', kernelName, 'expected a kernel name such as "Conv2DBackpropFilter"');
  if (!TRAINING_BACKENDS.includes(backend)) throw new LowbitConfigError('backend', backend, "expected 'cpu' or 'wasm'");
  const ours = TRAINING_KERNELS[backend]?.find((k) => k.kernelName === kernelName);
  return ours !== undefined && tf.getKernel(kernelName, backend)?.kernelFunc === ours.kernelFunc;
}

/**
 * The im2col kernel `LowbitExtractPatches` (and its col2im gradient kernel) for cpu and wasm.
 * New kernel names, not replacements: {@link registerExtractPatches} adds them.
 */
export const EXTRACT_PATCHES_KERNELS: readonly tf.KernelConfig[] = [
  extractPatchesCpuConfig,
  extractPatchesGradCpuConfig,
  extractPatchesWasmConfig,
  extractPatchesGradWasmConfig,
];

/**
 * Registers `LowbitExtractPatches`, `LowbitExtractPatchesGrad` (cpu, wasm) and the patches'
 * gradient where nothing is registered under those names yet (idempotent; replaces nothing, so
 * it may run after a backend has initialised). Packages that take patches (fames-appmul) call it
 * at import.
 */
export function registerExtractPatches(): void {
  for (const config of EXTRACT_PATCHES_KERNELS) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  if (!tf.getGradient(extractPatchesGradConfig.kernelName)) tf.registerGradient(extractPatchesGradConfig);
}
