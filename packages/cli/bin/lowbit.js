#!/usr/bin/env node
// The `lowbit` executable. Installed from npm it runs dist/bin.js. Inside a lowbit checkout
// (src/ beside this folder and tsx installed) it runs src/bin.ts through tsx with the
// `@lowbit/source` export condition, so `npx lowbit` works right after `npm ci`, without a build,
// on the current sources of every lowbit package.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
let tsx;
if (existsSync(source)) {
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    tsx = undefined; // a checkout installed without dev dependencies: use dist/
  }
}

if (tsx) {
  const args = ['--conditions=@lowbit/source', '--import', tsx, source, ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself; a SIGTERM sent to this process is passed on.
  const onInt = () => {};
  const onTerm = () => child.kill('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  child.on('exit', (code, signal) => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  await import('../dist/bin.js');
}
