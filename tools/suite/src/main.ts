/**
 * `npm start` (root) / `npm run start -w tools/suite`: the suite's entry point.
 *
 *   npm start                      # defaults: Fashion-MNIST, all 59,945 train / 10,000 test images, 1 epoch, all techniques
 *   npm start -- --quick           # 1,000 / 500 images, 1 epoch: a minute or two
 *   npm start -- --help            # every option
 */
import { CommanderError } from 'commander';
import { parseSuiteArgs, suiteHelp } from './options.js';
import { runSuite, SuiteError } from './run-suite.js';

const argv = process.argv.slice(2);
let options;
try {
  options = parseSuiteArgs(argv);
} catch (e) {
  if (e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.help')) {
    process.stdout.write(suiteHelp());
    process.exit(0);
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `${message.startsWith('error') ? message : `error: ${message}`}\nRun with --help to see the options.\n`,
  );
  process.exit(1);
}
try {
  await runSuite(options, { command: `npm start${argv.length ? ` -- ${argv.join(' ')}` : ''}` });
} catch (e) {
  if (!(e instanceof SuiteError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
}
