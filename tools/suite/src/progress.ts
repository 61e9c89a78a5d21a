/**
 * Progress of one training run: a cli-progress bar (epoch, batch, loss, ETA) in a terminal, plain
 * log lines otherwise (CI logs, pipes), so a log file stays readable.
 *
 * ```ts
 * const progress = createProgress({ bars: process.stdout.isTTY });
 * const run = progress.start('wrpn', { epochs: 2, batchesPerEpoch: 157 });
 * run.update({ epoch: 0, batch: 10, loss: 1.2 });
 * run.stop();
 * ```
 */
import cliProgress from 'cli-progress';

export interface RunShape {
  epochs: number;
  batchesPerEpoch: number;
}

export interface ProgressUpdate {
  /** 0-based epoch. */
  epoch: number;
  /** 1-based batch within the epoch (batches done). */
  batch: number;
  loss: number;
}

export interface RunProgress {
  update(u: ProgressUpdate): void;
  /** Epoch finished (0-based) with its mean loss and, where known, training accuracy. */
  epochEnd(epoch: number, loss: number, accuracy?: number): void;
  stop(): void;
}

export interface Progress {
  start(label: string, shape: RunShape): RunProgress;
  log(message: string): void;
}

export interface ProgressOptions {
  bars: boolean;
  /** Where plain lines go (default console.log). */
  write?: (line: string) => void;
  /** Plain mode: lines per epoch besides the epoch summary (default 4). */
  linesPerEpoch?: number;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

export function createProgress(options: ProgressOptions): Progress {
  const write = options.write ?? ((line: string) => console.log(line));
  const started = performance.now();
  const stamp = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s]`;
  if (options.bars) {
    return {
      log: (m) => console.log(`${stamp()} ${m}`),
      start(label, shape) {
        const bar = new cliProgress.SingleBar(
          {
            format: `${label.padEnd(8)} |{bar}| {percentage}% | epoch {epoch}/{epochs} batch {batch}/{batches} | loss {loss} | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(shape.epochs * shape.batchesPerEpoch, 0, {
          epoch: 1,
          epochs: shape.epochs,
          batch: 0,
          batches: shape.batchesPerEpoch,
          loss: '-',
        });
        return {
          update: (u) =>
            bar.update(u.epoch * shape.batchesPerEpoch + u.batch, {
              epoch: u.epoch + 1,
              batch: u.batch,
              loss: fmt(u.loss),
            }),
          epochEnd: () => {},
          stop: () => bar.stop(),
        };
      },
    };
  }
  const every = Math.max(1, options.linesPerEpoch ?? 4);
  return {
    log: (m) => write(`${stamp()} ${m}`),
    start(label, shape) {
      const t0 = performance.now();
      const total = shape.epochs * shape.batchesPerEpoch;
      const step = Math.max(1, Math.ceil(shape.batchesPerEpoch / every));
      write(`${stamp()} ${label}: training, ${shape.epochs} epoch(s) x ${shape.batchesPerEpoch} batches`);
      return {
        update(u) {
          if (u.batch % step !== 0 || u.batch === shape.batchesPerEpoch) return;
          const done = u.epoch * shape.batchesPerEpoch + u.batch;
          const eta = ((performance.now() - t0) / 1000 / done) * (total - done);
          write(
            `${stamp()} ${label}: epoch ${u.epoch + 1}/${shape.epochs} batch ${u.batch}/${shape.batchesPerEpoch} loss ${fmt(u.loss)} ETA ${eta.toFixed(0)} s`,
          );
        },
        epochEnd(epoch, loss, accuracy) {
          const acc = accuracy === undefined ? '' : `, train accuracy ${(100 * accuracy).toFixed(2)}%`;
          write(`${stamp()} ${label}: epoch ${epoch + 1}/${shape.epochs} done, loss ${fmt(loss)}${acc}`);
        },
        stop() {},
      };
    },
  };
}
