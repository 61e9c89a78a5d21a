/**
 * Command-line settings of the DQA experiment. The defaults are the documented experiment (full
 * Fashion-MNIST training split, 3 float nets, full 10,000-image test set); `--quick` is a smoke run.
 *
 *   npm run start -w examples/dqa                          # the experiment
 *   npm run start -w examples/dqa -- --quick               # smoke run (a few minutes)
 *   npm run start -w examples/dqa -- --epochs 4 --seeds 1,2,3 --train 30000
 */
import { parseExperimentArgs, type ExperimentArgs } from '@lowbit/experiment-kit';

export interface DqaSettings extends ExperimentArgs {
  bits: number[];
  extraBits: number;
  importantFraction: number;
  randomDraws: number;
  /** Non-inferiority margin (points) of "DQA >= direct at equal storage". */
  storageMargin: number;
}

export function parseSettings(argv: string[]): DqaSettings {
  const common = parseExperimentArgs(argv, {
    calibrationImages: { quick: 128, full: 256 },
    out: { quick: 'docs/results/dqa-quick', full: 'docs/results/dqa' },
  });
  return {
    ...common,
    bits: [3, 4, 5],
    extraBits: 3,
    importantFraction: 0.5,
    randomDraws: common.quick ? 2 : 5,
    storageMargin: 0.2,
  };
}
