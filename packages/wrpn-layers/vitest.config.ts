import { lowbitVitestConfig } from '../../vitest.shared.ts';

export default lowbitVitestConfig('wrpn-layers');
