/**
 * Command-line settings of the log-domain experiment. The defaults are the documented experiment
 * (full Fashion-MNIST training split, 3 seeds per arm, full 10,000-image test set); `--quick` is a
 * smoke run.
 *
 *   npm start -w examples/log-domain                    # the experiment
 *   npm start -w examples/log-domain -- --quick         # smoke run
 *   npm start -w examples/log-domain -- --train 20000 --epochs 4 --seeds 1,2,3
 */
import { parseExperimentArgs, type ExperimentArgs } from '@lowbit/experiment-kit';

export interface Settings extends ExperimentArgs {
  /** Post-training activation bits (the claim is at 3). */
  postTrainingBits: number[];
  /** FSR candidates: round(log2 max) + each offset, per quantized layer input. */
  fsrOffsets: number[];
  /** Bits of weights and activations in the training comparison. */
  trainingBits: number;
}

export function parseSettings(argv: string[]): Settings {
  const common = parseExperimentArgs(argv, {
    calibrationImages: { quick: 256, full: 1000 },
    out: { quick: 'docs/results/log-domain-quick', full: 'docs/results/log-domain' },
  });
  return {
    ...common,
    postTrainingBits: [3, 4],
    fsrOffsets: [-3, -2, -1, 0, 1],
    trainingBits: 5,
  };
}
