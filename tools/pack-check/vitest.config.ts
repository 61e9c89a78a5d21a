import { lowbitVitestConfig } from '../../vitest.shared.ts';

// Packing and installing is I/O-bound and slow-ish: one generous timeout, no parallel files.
export default lowbitVitestConfig('pack-check', { testTimeout: 240_000, hookTimeout: 240_000 });
