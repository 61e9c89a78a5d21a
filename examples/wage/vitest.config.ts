import { lowbitVitestConfig } from '../../vitest.shared.ts';

// The experiment's command-line settings (the training itself is the npm start run).
export default lowbitVitestConfig('example-wage');
