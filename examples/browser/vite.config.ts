// The page resolves the lowbit packages to their sources (the `@lowbit/source` export condition,
// as the repo's tests do), so `npm run dev -w examples/browser` needs no build of the packages.
// An app outside this repo imports the published packages (their dist/) with no Vite config at all.
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  resolve: { conditions: ['@lowbit/source', ...defaultClientConditions] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  logLevel: 'warn',
});
