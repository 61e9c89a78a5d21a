/**
 * `@lowbit/quant-core/internal`: what other lowbit packages (and authors of new parts or
 * kernels) build on but ordinary users do not call: the kernel configs and their gradient, the
 * part registry class, the generic layers' argument plumbing and the exact-product gradients.
 * Not covered by the semver promise of the main entry.
 */
export * from './kernels/fake-quant-affine-kernel.js';
export { fakeQuantAffineGrad, fakeQuantAffineGradConfig } from './kernels/fake-quant-affine-grad.js';
export { fakeQuantAffineCpuConfig } from './kernels/fake-quant-affine-cpu.js';
export { registerLowbitCoreKernels } from './kernels/register.js';
export { PartRegistry } from './parts/part-registry.js';
export * from './layers/layer-utils.js';
export { PART_ARG_KEYS } from './layers/quant-layer.js';
