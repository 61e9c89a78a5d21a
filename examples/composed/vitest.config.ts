import { lowbitVitestConfig } from '../../vitest.shared.ts';

// Trains a tiny composed net end to end (fit, FAMES selection, DQA, save/load, export).
export default lowbitVitestConfig('example-composed', { testTimeout: 400_000 });
