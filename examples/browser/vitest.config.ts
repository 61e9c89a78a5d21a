import { lowbitVitestConfig } from '../../vitest.shared.ts';

// One test file: it builds the page with Vite, serves it and drives headless Chromium.
export default lowbitVitestConfig('browser', { testTimeout: 60_000, hookTimeout: 90_000 });
