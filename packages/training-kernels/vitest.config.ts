import { lowbitVitestConfig } from '../../vitest.shared.ts';

export default lowbitVitestConfig('training-kernels');
