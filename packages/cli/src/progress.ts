/**
 * Progress over a known number of steps on stderr: a cli-progress bar in a terminal, one plain
 * line per step otherwise (pipes, CI logs, tests), so a log stays readable.
 *
 * ```ts
 * const p = startProgress(io, 'export', layers.length);
 * for (const l of layers) { ...; p.step(l.name); }
 * p.stop();
 * ```
 */
import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';

export interface Progress {
  /** One step done; `label` names it. */
  step(label: string): void;
  stop(): void;
}

export function startProgress(io: CliIO, title: string, total: number): Progress {
  let done = 0;
  if (io.errIsTTY && io.errStream) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${title} |{bar}| {value}/{total} {label}`,
        stream: io.errStream,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { label: '' });
    return {
      step: (label) => bar.update(++done, { label }),
      stop: () => bar.stop(),
    };
  }
  const width = String(total).length;
  return {
    step: (label) => io.err(`${title} ${String(++done).padStart(width)}/${total} ${label}\n`),
    stop: () => {},
  };
}
