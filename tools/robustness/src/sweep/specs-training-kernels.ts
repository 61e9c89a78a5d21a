/**
 * training-kernels: being sped up by someone else right now, so its findings are reported, not
 * failed. `selectBackend` would switch the backend of the whole test process: only its bad
 * options are tried (they are checked before any backend is touched).
 */
import type { PackageSpecs } from './spec.js';

export const trainingKernelsSpecs: PackageSpecs = {
  selectBackend: {
    noGeneric: 'with no or default options it switches the backend of the whole process',
    bad: [
      { label: "options 'nope'", args: () => ['nope'] },
      { label: 'options null', args: () => [null] },
      { label: 'unknown option', args: () => [{ prefr: 'cpu' }] },
      { label: "prefer 'nope'", args: () => [{ prefer: 'nope' }] },
      { label: 'threads 0', args: () => [{ threads: 0 }] },
      { label: "log 'yes'", args: () => [{ log: 'yes' }] },
    ],
  },
};
