import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { LowbitConfigError } from '@lowbit/quant-core/errors';
import { defaultLoaders, selectBackend, type BackendLoaders } from './select-backend.js';
import { isTrainingKernelRegistered, restoreStockKernels } from './register.js';

afterEach(async () => {
  await tf.setBackend('cpu');
  restoreStockKernels();
  vi.restoreAllMocks();
});

const fail = (what: string) => () => Promise.reject(new Error(`Cannot find module '${what}'`));

describe('selectBackend', () => {
  it('skips tfjs-node (not installed here), picks wasm: SIMD, one thread per core, our kernels', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const choice = await selectBackend();
    const cores = Math.min(8, availableParallelism());
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts[0]).toMatchObject({ backend: 'tensorflow', ok: false });
    expect(choice.attempts[0].reason).toMatch(/cannot import/);
    expect(choice.threads).toBe(cores);
    expect(choice.reason).toMatch(new RegExp(`^wasm SIMD, multithreaded, ${cores} threads? of \\d+ logical cores`));
    expect(choice.reason).toMatch(/skipped tensorflow: cannot import/);
    expect(isTrainingKernelRegistered(tf.Conv2DBackpropFilter, 'wasm')).toBe(true);
    expect(info).toHaveBeenCalledWith(expect.stringMatching(/^lowbit: backend wasm \(/));
  });

  it('falls back to cpu with our kernels when wasm cannot be imported', async () => {
    const loaders: BackendLoaders = { ...defaultLoaders, wasm: fail('@tensorflow/tfjs-backend-wasm') };
    const choice = await selectBackend({ log: false }, loaders);
    expect(choice.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.attempts.map((a) => [a.backend, a.ok])).toEqual([
      ['tensorflow', false],
      ['wasm', false],
      ['cpu', true],
    ]);
    expect(isTrainingKernelRegistered(tf.Conv2DBackpropFilter, 'cpu')).toBe(true);
  });

  it('treats an importable but unregistered tensorflow backend as failed to initialise', async () => {
    const loaders: BackendLoaders = {
      tensorflow: () => Promise.resolve({}),
      wasm: fail('wasm'),
      cpu: defaultLoaders.cpu,
    };
    const choice = await selectBackend({ log: false }, loaders);
    expect(choice.backend).toBe('cpu');
    expect(choice.attempts[0]).toEqual({
      backend: 'tensorflow',
      ok: false,
      reason: expect.stringMatching(/initialise/),
    });
  });

  it('honours prefer', async () => {
    const choice = await selectBackend({ prefer: 'cpu', log: false });
    expect(choice.backend).toBe('cpu');
    expect(choice.attempts).toHaveLength(1);
  });

  it('throws, naming every attempt, when nothing starts', async () => {
    const loaders: BackendLoaders = { tensorflow: fail('tf'), wasm: fail('wasm'), cpu: fail('cpu') };
    await expect(selectBackend({ log: false }, loaders)).rejects.toThrow(
      /tensorflow: cannot import.*wasm: cannot import.*cpu: cannot import/,
    );
  });

  const bad: [string, unknown, string][] = [
    ['an unknown backend', { prefer: 'webgl' }, 'prefer'],
    ['a non-boolean log', { log: 'yes' }, 'log'],
    ['an unknown option', { backend: 'cpu' }, 'selectBackend(options).backend'],
    ['a string', 'wasm', 'selectBackend(options)'],
    ['zero threads', { threads: 0 }, 'threads'],
    ['9 threads', { threads: 9 }, 'threads'],
    ['fractional threads', { threads: 1.5 }, 'threads'],
    ['threads as a string', { threads: '2' }, 'threads'],
  ];
  for (const [name, options, argument] of bad) {
    it(`throws LowbitConfigError for ${name}`, async () => {
      const err = await selectBackend(options as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LowbitConfigError);
      expect((err as LowbitConfigError).argument).toBe(argument);
    });
  }
});
