import { lowbitVitestConfig } from '../../vitest.shared.ts';

// One test walks every part combination (saves, loads and trains each): give it room.
export default lowbitVitestConfig('contract', { testTimeout: 300_000 });
