/**
 * Each command loads only what it uses: the AWS SDK clients, the rollout and scale-test stages and
 * Octokit are imported on first use (dynamic imports, each its own chunk of the bundle), so an
 * invalid input or a `plan` does not compile them at start. bench/action-startup.ts has the
 * figures; this suite holds the behaviour: which modules a command's run loads.
 */
import type { ConfigPaths } from '../src/inputs';
import type { RunDependencies } from '../src/main';
import { inputsFrom } from './support/inputs';
import { createRecorder } from './support/recorder';

const ENV = { GITHUB_SHA: 'a'.repeat(40), GITHUB_WORKSPACE: '/work/repo' };
const PATHS: ConfigPaths = {
  workspace: '/work/repo',
  bundledTerraform: '/action/terraform',
  inspect: (path) => ({ real: path, kind: 'directory' }),
};
const LAZY_MODULES = {
  aws: '../src/aws',
  rollout: '../src/rollout',
  appLog: '../src/rollout/appLog',
  scale: '../src/scale',
  octokit: '@actions/github',
} as const;
type LazyModule = keyof typeof LAZY_MODULES;

/** Runs the action with fresh modules and returns which of the lazy ones it loaded. */
async function modulesLoadedBy(
  inputs: Record<string, string>,
  overrides: Partial<RunDependencies> = {},
): Promise<{ loaded: LazyModule[]; failures: string[] }> {
  const loaded: LazyModule[] = [];
  const recorder = createRecorder();
  jest.resetModules();
  for (const [name, path] of Object.entries(LAZY_MODULES) as [LazyModule, string][]) {
    jest.doMock(path, () => {
      loaded.push(name);
      // The AWS clients are where a run would reach the network: it stops there.
      if (name === 'aws')
        return { createAwsClients: () => Promise.reject(new Error('stopped at the AWS clients')) };
      return jest.requireActual<object>(path);
    });
  }
  const { run } = await import('../src/main');
  await run({
    readInput: inputsFrom(inputs),
    env: ENV,
    paths: PATHS,
    log: recorder.log,
    reporter: recorder.reporter,
    runCommand: () => Promise.resolve({ exitCode: 1, stdout: '', stderr: 'stopped at terraform' }),
    maskSecret: () => undefined,
    ...overrides,
  });
  return { loaded, failures: recorder.failures };
}

afterEach(() => {
  for (const path of Object.values(LAZY_MODULES)) jest.dontMock(path);
});

describe('what each command loads', () => {
  it('an invalid input loads none of the AWS clients, rollout, scale test or Octokit', async () => {
    const { loaded, failures } = await modulesLoadedBy({ command: 'plan' });
    expect(failures[0]).toContain('invalid input');
    expect(loaded).toEqual([]);
  });

  it('a plan reaches terraform without the AWS clients, rollout, scale test or Octokit', async () => {
    const { loaded, failures } = await modulesLoadedBy({
      command: 'plan',
      'aws-region': 'eu-west-1',
      'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
      'comment-on-pr': 'false',
    });
    expect(failures[0]).toContain('terraform init failed');
    expect(loaded).toEqual([]);
  });

  it('a rollout loads the AWS clients first, and neither the scale test nor Octokit', async () => {
    const { loaded, failures } = await modulesLoadedBy({
      command: 'rollout',
      'aws-region': 'eu-west-1',
      'asg-name': 'web',
      'target-group-arns':
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef',
    });
    expect(failures[0]).toContain('stopped at the AWS clients');
    expect(loaded).toEqual(['aws']);
  });
});
