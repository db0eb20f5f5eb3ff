/**
 * Private images: pull-token reaches Terraform only as TF_VAR_ environment (never a -var on the
 * command line), is masked first, and bad combinations are refused before anything runs.
 */
import { parseConfig } from '../../src/inputs';
import type { CommandRunner } from '../../src/exec';
import { run } from '../../src/main';
import { inputsFrom } from '../support/inputs';
import { configFor } from '../support/config';
import { createRecorder } from '../support/recorder';
import { configProblems } from '../support/rejection';

const ENV = { GITHUB_SHA: 'a'.repeat(40), GITHUB_WORKSPACE: '/work/repo', GITHUB_EVENT_NAME: 'push' };
const PATHS = { workspace: '/work/repo', bundledTerraform: '/action/terraform' };
const PLAN = {
  command: 'plan',
  'aws-region': 'eu-west-1',
  'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
  'comment-on-pr': 'false',
};
const TOKEN = 'dckr_pat_read-only-0123456789';

const problemsFor = (values: Record<string, string>): string[] => configProblems(values, ENV, PATHS);

describe('pull-token inputs', () => {
  it('pulls anonymously when no pull-token is given', () => {
    expect(configFor('plan', parseConfig(inputsFrom(PLAN), ENV, PATHS)).image.instancePull).toBeUndefined();
  });

  it('logs the instances in as pull-username, or else dockerhub-username', () => {
    expect(
      configFor(
        'plan',
        parseConfig(inputsFrom({ ...PLAN, 'pull-token': TOKEN, 'pull-username': 'acme-pull' }), ENV, PATHS),
      ).image.instancePull,
    ).toEqual({
      username: 'acme-pull',
      password: TOKEN,
    });
    expect(
      configFor(
        'plan',
        parseConfig(
          inputsFrom({
            ...PLAN,
            'pull-token': TOKEN,
            'dockerhub-username': 'acme-ci',
            'dockerhub-token': 'push',
          }),
          ENV,
          PATHS,
        ),
      ).image.instancePull,
    ).toEqual({ username: 'acme-ci', password: TOKEN });
  });

  it.each([
    [{ 'pull-token': TOKEN }, 'pull-username: missing; pull-token needs its registry user'],
    [{ 'pull-username': 'acme-pull' }, 'pull-token: missing; pull-username (acme-pull) is set'],
    [
      { 'pull-token': TOKEN, 'pull-username': 'acme pull' },
      'pull-username: "acme pull"; expected a registry user name',
    ],
    [{ 'pull-token': `${TOKEN} x`, 'pull-username': 'acme-pull' }, 'pull-token: contains whitespace'],
    [
      { 'terraform-vars': `registry_pull_token=${TOKEN}` },
      'terraform-vars: a -var would put it on the command line',
    ],
  ])('refuses %j, naming the input and never the token', (values, problem) => {
    const problems = problemsFor({ ...PLAN, ...values });
    expect(problems).toEqual([expect.stringContaining(problem)]);
    expect(problems.join('\n')).not.toContain(TOKEN);
  });

  it('refuses pull-token for rollout, which stores nothing', () => {
    expect(
      problemsFor({
        command: 'rollout',
        'aws-region': 'eu-west-1',
        'asg-name': 'web',
        'pull-token': TOKEN,
        'pull-username': 'u',
      }),
    ).toEqual([expect.stringContaining('pull-token: rollout runs no Terraform')]);
  });
});

describe('pull-token on the way to Terraform', () => {
  it('is masked, then passed as TF_VAR_ environment, never as a command-line argument', async () => {
    const recorder = createRecorder();
    const calls: { args: string[]; env: Record<string, string> | undefined }[] = [];
    const masked: string[] = [];
    const runCommand: CommandRunner = (_command, args, options) => {
      calls.push({ args, env: options?.env });
      // init fails: enough to see what Terraform was given, and nothing further runs.
      return Promise.resolve({ exitCode: 1, stdout: '', stderr: 'Error: stop here' });
    };
    await run({
      readInput: inputsFrom({ ...PLAN, 'pull-token': TOKEN, 'pull-username': 'acme-pull' }),
      env: ENV,
      paths: PATHS,
      log: recorder.log,
      reporter: recorder.reporter,
      runCommand,
      createClients: jest.fn(),
      createOctokit: jest.fn(),
      maskSecret: (value) => masked.push(value),
    });
    expect(masked).toContain(TOKEN);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.env).toMatchObject({
        TF_VAR_registry_pull_token: TOKEN,
        TF_VAR_registry_username: 'acme-pull',
      });
      expect(call.args.join(' ')).not.toContain(TOKEN);
    }
    expect(recorder.text()).not.toContain(TOKEN);
    expect(recorder.failures.join('\n')).not.toContain(TOKEN);
  });
});
