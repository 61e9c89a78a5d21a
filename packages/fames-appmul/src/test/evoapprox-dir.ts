// Where the EvoApproxLib tables live: ../shared/appmul/evoapprox-mul8u beside the repository root
// (data read at run time, never copied into the repo). Tests that need them skip when absent.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const EVOAPPROX_DIR = join(repoRoot, '..', 'shared', 'appmul', 'evoapprox-mul8u');
export const HAVE_EVOAPPROX = existsSync(join(EVOAPPROX_DIR, 'multipliers.json'));
if (!HAVE_EVOAPPROX)
  console.warn(`EvoApproxLib tables not found at ${EVOAPPROX_DIR}: skipping the tests that read them`);
