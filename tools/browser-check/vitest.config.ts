import { lowbitVitestConfig } from '../../vitest.shared.ts';

// esbuild bundles each package in well under a second; evaluating them starts one Node process.
export default lowbitVitestConfig('browser-check', { testTimeout: 120_000, hookTimeout: 120_000 });
