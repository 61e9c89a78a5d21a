// Shared vitest settings for every workspace package.
// Tests import sibling packages through the `@lowbit/source` export condition, so they run
// against `src/` without a build; the build (and `npm pack`) uses `dist/`.
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vitest/config';

const setupFile = fileURLToPath(new URL('./vitest.setup.ts', import.meta.url));

export function lowbitVitestConfig(name: string, overrides: UserConfig['test'] = {}): UserConfig {
  return defineConfig({
    resolve: { conditions: ['@lowbit/source', 'module', 'node', 'import', 'default'] },
    ssr: {
      resolve: { conditions: ['@lowbit/source', 'node', 'import', 'default'], externalConditions: ['@lowbit/source'] },
    },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      setupFiles: [setupFile],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      ...overrides,
    },
  });
}
