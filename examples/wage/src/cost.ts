/**
 * Writes docs/results/wage-cost.md: hw-model's inference cost of the 2-8-8-8 WAGE LeNet (the same
 * section `npm start -w examples/wage` appends to its results).
 *
 *   npm run cost -w examples/wage
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { wageCostMarkdown } from './nets.js';

await tf.setBackend('cpu');
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/results/wage-cost.md');
mkdirSync(dirname(out), { recursive: true });
const md = `# WAGE LeNet: inference cost\n\nCommand: \`npm run cost -w examples/wage\` (examples/wage/src/cost.ts); no training, the cost depends only on the topology and the bit widths.\n\n${wageCostMarkdown({ W: 2, A: 8, G: 8, E: 8 })}`;
writeFileSync(out, md);
console.log(md);
