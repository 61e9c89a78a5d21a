import { lowbitVitestConfig } from '../../vitest.shared.ts';

// The suite's tests run whole (tiny) training runs and a headless browser: give them room.
export default lowbitVitestConfig('suite', { testTimeout: 120_000 });
