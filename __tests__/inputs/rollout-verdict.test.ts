/**
 * Issue 9's inputs: budgets AWS enforces are checked before any AWS call, the protected/Standby
 * preferences are explicit, and the emulation-only time scale cannot reach a real deploy.
 */
import { scaledClock } from '../../src/clock';
import { EMULATED_CLOCK_ANCHOR_VARIABLE, EMULATED_TIME_SCALE_VARIABLE, parseConfig } from '../../src/inputs';
import { run } from '../../src/main';
import { inputsFrom } from '../support/inputs';
import { configFor } from '../support/config';
import { createRecorder } from '../support/recorder';
import { configProblems, configRejection } from '../support/rejection';

const VALID = { command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web-asg' };

const problemsFor = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] =>
  configProblems({ ...VALID, ...values }, env);

describe('item 2: time budgets AWS enforces', () => {
  it('rejects checkpoints without a delay: AWS pauses 3600 s at each, which 30 minutes cannot hold', () => {
    const problem = configRejection({ ...VALID, 'checkpoint-percentages': '50,100' }, 'wait-timeout-minutes');
    expect(problem).toMatch(/^wait-timeout-minutes: "30"; checkpoint-percentages 50,100 pause/);
    expect(problem).toContain("3600 s each (AWS's default when checkpoint-delay-seconds is empty)");
    expect(problem).toContain('raise wait-timeout-minutes above 60');
  });

  it('counts every pause but the last checkpoint against wait-timeout-minutes', () => {
    expect(problemsFor({ 'checkpoint-percentages': '25,50,100', 'checkpoint-delay-seconds': '600' })).toEqual(
      [],
    );
    const problems = problemsFor({
      'checkpoint-percentages': '25,50,100',
      'checkpoint-delay-seconds': '900',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('2 time(s) for 900 s each (checkpoint-delay-seconds), 1800 s in all');
    expect(problemsFor({ 'checkpoint-percentages': '50,100', 'wait-timeout-minutes': '90' })).toEqual([]);
  });

  it('sets ScaleInProtectedInstances and StandbyInstances explicitly, never to a silent hour', () => {
    expect(configFor('rollout', parseConfig(inputsFrom(VALID))).rollout).toMatchObject({
      scaleInProtectedInstances: 'Refresh',
      standbyInstances: 'Ignore',
    });
    expect(
      configFor(
        'rollout',
        parseConfig(
          inputsFrom({ ...VALID, 'scale-in-protected-instances': 'Wait', 'standby-instances': 'Terminate' }),
        ),
      ).rollout,
    ).toMatchObject({ scaleInProtectedInstances: 'Wait', standbyInstances: 'Terminate' });
    expect(
      problemsFor({ 'scale-in-protected-instances': 'Terminate', 'standby-instances': 'Refresh' }),
    ).toEqual([
      'scale-in-protected-instances: "Terminate"; expected one of Refresh, Ignore, Wait.',
      'standby-instances: "Refresh"; expected one of Terminate, Ignore, Wait.',
    ]);
  });

  it('fails an impossible budget before creating any AWS client', async () => {
    const recorder = createRecorder();
    const createClients = jest.fn();
    await run({
      readInput: inputsFrom({ ...VALID, 'checkpoint-percentages': '50,100' }),
      env: {},
      log: recorder.log,
      reporter: recorder.reporter,
      createClients,
    });
    expect(createClients).not.toHaveBeenCalled();
    expect(recorder.outputs['failure-reason']).toBe('invalid-input');
    expect(recorder.failures[0]).toContain('wait-timeout-minutes: "30"');
  });
});

describe('item 8: the commit the smoke check expects', () => {
  it('takes expected-commit for rollout only, as a SHA', () => {
    const sha = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
    expect(
      configFor('rollout', parseConfig(inputsFrom({ ...VALID, 'expected-commit': sha }))).rollout
        .expectedCommit,
    ).toBe(sha);
    expect(configFor('rollout', parseConfig(inputsFrom(VALID))).rollout).toMatchObject({
      expectedCommit: undefined,
      smokeAppPath: '/',
    });
    expect(problemsFor({ 'expected-commit': 'main' })[0]).toMatch(
      /^expected-commit: "main"; expected a git commit SHA/,
    );
    expect(problemsFor({ 'smoke-app-path': 'home' })[0]).toMatch(
      /^smoke-app-path: "home"; expected a URL path/,
    );
  });
});

describe('the emulation-only time scale', () => {
  it('applies only with aws-endpoint-url, so it can never distort waits against AWS', () => {
    const env = { [EMULATED_TIME_SCALE_VARIABLE]: '100' };
    expect(problemsFor({}, env)).toEqual([
      `${EMULATED_TIME_SCALE_VARIABLE}: set without aws-endpoint-url; it only applies to an emulated region and would distort every wait against AWS. Unset it.`,
    ]);
    const config = configFor(
      'rollout',
      parseConfig(inputsFrom({ ...VALID, 'aws-endpoint-url': 'http://127.0.0.1:5000' }), env),
    );
    expect(config.aws.timeScale).toBe(100);
    expect(parseConfig(inputsFrom(VALID)).aws.timeScale).toBe(1);
    expect(
      problemsFor(
        { 'aws-endpoint-url': 'http://127.0.0.1:5000' },
        { [EMULATED_TIME_SCALE_VARIABLE]: 'x' },
      )[0],
    ).toMatch(/expected a number greater than 0/);
  });
});

describe('the emulation-only clock anchor', () => {
  const endpoint = { ...VALID, 'aws-endpoint-url': 'http://127.0.0.1:5000' };

  it("puts a scaled clock on the region's dates, and only with aws-endpoint-url", () => {
    const env = { [EMULATED_TIME_SCALE_VARIABLE]: '100', [EMULATED_CLOCK_ANCHOR_VARIABLE]: '1000:50000' };
    const { aws } = configFor('rollout', parseConfig(inputsFrom(endpoint), env));
    expect(aws.clockAnchor).toEqual({ realMs: 1000, simulatedMs: 50000 });
    let real = 3000;
    const base = { now: () => real, sleep: () => Promise.resolve() };
    const clock = scaledClock(base, aws.timeScale, aws.clockAnchor);
    expect(clock.now()).toBe(50000 + 2000 * 100);
    real += 10;
    expect(clock.now()).toBe(50000 + 2010 * 100);
    expect(parseConfig(inputsFrom(VALID)).aws.clockAnchor).toBeUndefined();
    expect(problemsFor({}, { [EMULATED_CLOCK_ANCHOR_VARIABLE]: '1000:50000' })).toContain(
      `${EMULATED_CLOCK_ANCHOR_VARIABLE}: "1000:50000"; expected <real epoch ms>:<simulated epoch ms>, and only with aws-endpoint-url (emulated regions only).`,
    );
    expect(
      problemsFor(
        { 'aws-endpoint-url': 'http://127.0.0.1:5000' },
        { [EMULATED_CLOCK_ANCHOR_VARIABLE]: 'soon' },
      )[0],
    ).toMatch(/expected <real epoch ms>:<simulated epoch ms>/);
  });
});
