import { lowbitVitestConfig } from '../../vitest.shared.ts';

export default lowbitVitestConfig('wage-train');
