import { lowbitVitestConfig } from '../../vitest.shared.ts';

// The sweep calls every export with bad inputs and the leak table runs 1,000 fit steps per layer: give it room.
export default lowbitVitestConfig('robustness', { testTimeout: 120_000 });
