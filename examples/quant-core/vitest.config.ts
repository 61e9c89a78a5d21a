import { lowbitVitestConfig } from '../../vitest.shared.ts';

export default lowbitVitestConfig('example-quant-core', { testTimeout: 240_000, hookTimeout: 240_000 });
