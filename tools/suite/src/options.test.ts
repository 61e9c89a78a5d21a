import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { DEFAULTS, QUICK, TECHNIQUE_IDS, parseSuiteArgs, suiteHelp } from './options.js';

describe('parseSuiteArgs', () => {
  it('fills the documented defaults', () => {
    const o = parseSuiteArgs([], false);
    expect(o).toMatchObject({
      dataset: 'fashion',
      trainSamples: DEFAULTS.trainSamples,
      testSamples: DEFAULTS.testSamples,
      epochs: DEFAULTS.epochs,
      quick: false,
      backend: null,
      out: null,
      progressBars: false,
    });
    expect(o.techniques).toEqual([...TECHNIQUE_IDS]);
  });

  it('--quick lowers the sample counts and epochs; explicit values win', () => {
    const q = parseSuiteArgs(['--quick'], false);
    expect([q.trainSamples, q.testSamples, q.epochs]).toEqual([QUICK.trainSamples, QUICK.testSamples, QUICK.epochs]);
    const o = parseSuiteArgs(
      ['--quick', '--train', '300', '--epochs', '3', '--dataset', 'mnist', '--backend', 'cpu', '--out', '/tmp/x'],
      false,
    );
    expect(o).toMatchObject({
      trainSamples: 300,
      testSamples: QUICK.testSamples,
      epochs: 3,
      dataset: 'mnist',
      backend: 'cpu',
      out: '/tmp/x',
    });
  });

  it('techniques: listed ones in canonical order; dqa brings the float baseline it calibrates', () => {
    expect(parseSuiteArgs(['--techniques', 'wage, wrpn,wage'], false).techniques).toEqual(['wrpn', 'wage']);
    expect(parseSuiteArgs(['--techniques', 'dqa'], false).techniques).toEqual(['float', 'dqa']);
  });

  it('progress bars only on a terminal and without --no-progress', () => {
    expect(parseSuiteArgs([], true).progressBars).toBe(true);
    expect(parseSuiteArgs(['--no-progress'], true).progressBars).toBe(false);
  });

  it.each([
    [['--epochs', '0'], /--epochs must be an integer from 1 to 1000, got "0"/],
    [['--train', '2.5'], /--train must be an integer from 1 to 60000, got "2.5"/],
    [['--test', 'many'], /--test must be an integer/],
    [['--dataset', 'cifar'], /'cifar' is invalid.*fashion, mnist/],
    [['--backend', 'gpu'], /'gpu' is invalid.*wasm, cpu, tensorflow/],
    [['--techniques', 'float,qat'], /unknown technique "qat"; known: float, wrpn, log, wage, dqa, fames/],
    [['--techniques', ','], /comma-separated list/],
    [['--bogus'], /unknown option '--bogus'/],
    [['extra'], /too many arguments|unexpected argument "extra"/],
  ])('rejects %j with a clear message', (argv, message) => {
    let error: unknown;
    try {
      parseSuiteArgs(argv, false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as Error).message).toMatch(message);
  });

  it('--help documents every option and the defaults', () => {
    const help = suiteHelp();
    for (const flag of [
      '--dataset',
      '--train',
      '--test',
      '--epochs',
      '--calibration',
      '--quick',
      '--backend',
      '--techniques',
      '--out',
      '--seed',
      '--no-progress',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toContain(`default ${DEFAULTS.trainSamples}`);
    expect(help).toContain('float,wrpn,log,wage,dqa,fames');
    expect(() => parseSuiteArgs(['--help'], false)).toThrow(CommanderError);
  });
});
