/**
 * Child process of the save kill test (save-kill.test.ts), bundled by esbuild into a plain .mjs so
 * it starts in tens of milliseconds: saves model B, then A, then B, ... into `dir` with the same
 * writer `saveModel` uses, forever, until the parent kills it with SIGKILL.
 *
 * argv: dir, payload.json ({ A, B }: { modelJSON, weightSpecs, weights (base64) }), mode
 * ('fast': no pauses; 'slow': a random pause of 0-2 ms after each step, so kills land in every
 * step), seed. Writes `ready` once, then `<save index> <step>` after each step, synchronously, to
 * stdout: the parent reads the last step a killed child reached from the pipe.
 */
import { readFileSync, writeSync } from 'node:fs';
import { writeModelDir, type ModelDirContent } from './model-dir.js';

const [dir, payloadPath, mode, seedText] = process.argv.slice(2);
const payload = JSON.parse(readFileSync(payloadPath!, 'utf8')) as Record<
  'A' | 'B',
  { modelJSON: ModelDirContent['modelJSON']; weightSpecs: ModelDirContent['weightSpecs']; weights: string }
>;
const contents = (['B', 'A'] as const).map((k) => ({
  modelJSON: payload[k].modelJSON,
  weightSpecs: payload[k].weightSpecs,
  weights: new Uint8Array(Buffer.from(payload[k].weights, 'base64')),
}));

let seed = Number(seedText) >>> 0 || 1;
const random = () => {
  // xorshift32: deterministic per child.
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 2 ** 32;
};

function say(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(1, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

say('ready');
for (let i = 0; ; i++) {
  await writeModelDir(dir!, contents[i % 2]!, {
    onStep: async (step) => {
      say(`${i} ${step}`);
      if (mode === 'slow') await new Promise((r) => setTimeout(r, Math.floor(random() * 3)));
    },
  });
}
