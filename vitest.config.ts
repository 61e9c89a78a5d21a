import { defineConfig } from 'vitest/config';

// `npm test` at the root runs every workspace project and prints the totals.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tools/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
});
