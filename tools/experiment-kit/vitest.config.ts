import { lowbitVitestConfig } from '../../vitest.shared.ts';

export default lowbitVitestConfig('experiment-kit');
