/**
 * Small models for the CLI tests, saved with quant-core's saveModel into a fresh temp directory.
 * Weights are seeded so every run sees the same codes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { LowbitLogQuantizer, LowbitUniformQuantizer, quantConv2d, quantDense } from '@lowbit/quant-core';
import { saveModel } from '@lowbit/quant-core/node';
import type { CliIO, SpawnRequest } from './io.js';

export function tempDir(prefix = 'lowbit-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * conv (4-bit uniform per-channel kernel, 8-bit input) -> flatten -> fc (log2 kernel, 4-bit
 * input) -> plain tfjs Dense "out" (float). Names are fixed: conv, flat, fc, out.
 */
export function quantizedModel(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    name: 'cli_test_net',
    layers: [
      quantConv2d({
        name: 'conv',
        inputShape: [6, 6, 1],
        filters: 3,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
        biasInitializer: tfl.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 2 }),
        kernelQuantizer: new LowbitUniformQuantizer({ bits: 4, perChannel: true, axis: -1 }),
        inputQuantizer: new LowbitUniformQuantizer({ bits: 8, signed: false, range: [0, 1] }),
      }),
      tfl.layers.flatten({ name: 'flat' }),
      quantDense({
        name: 'fc',
        units: 4,
        activation: 'relu',
        kernelInitializer: init(3),
        kernelQuantizer: new LowbitLogQuantizer({ bits: 4 }),
        inputQuantizer: new LowbitUniformQuantizer({ bits: 4, signed: false, range: [0, 2] }),
      }),
      tfl.layers.dense({ name: 'out', units: 2, kernelInitializer: init(4) }),
    ],
  });
}

/** A float model (plain tfjs layers) for quantize: conv2d_f -> flatten -> dense_a -> dense_b. */
export function floatModel(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    name: 'cli_float_net',
    layers: [
      tfl.layers.conv2d({
        name: 'conv_f',
        inputShape: [6, 6, 1],
        filters: 2,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(5),
      }),
      tfl.layers.flatten({ name: 'flat_f' }),
      tfl.layers.dense({ name: 'dense_a', units: 5, activation: 'relu', kernelInitializer: init(6) }),
      tfl.layers.dense({ name: 'dense_b', units: 3, kernelInitializer: init(7) }),
    ],
  });
}

/** Saves `model` into a new temp directory and disposes it; returns the directory. */
export async function savedModel(model: tfl.LayersModel): Promise<string> {
  const dir = join(tempDir(), 'model');
  await saveModel(model, dir);
  model.dispose();
  return dir;
}

/** An in-memory CliIO: what the CLI printed, and the child processes it asked for. */
export interface CapturedIO extends CliIO {
  stdout: string;
  stderr: string;
  spawned: SpawnRequest[];
}

export function captureIO(cwd: string, spawnResult: (r: SpawnRequest) => number = () => 0): CapturedIO {
  const io: CapturedIO = {
    stdout: '',
    stderr: '',
    spawned: [],
    out: (t) => void (io.stdout += t),
    err: (t) => void (io.stderr += t),
    errIsTTY: false,
    cwd,
    spawn: async (r) => {
      io.spawned.push(r);
      return spawnResult(r);
    },
  };
  return io;
}
