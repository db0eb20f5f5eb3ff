/**
 * `deploy` with require-approved-plan checks approval before any side effect: the whole action
 * (`run`) against the GitHub REST stand-in, with the real docker CLI talking to podman and the
 * authenticated local registry (emulation/container-runtime/runtime.sh). Terraform is not part of
 * this check: its calls are recorded and answered with a failure, so a run that gets that far
 * stops there.
 */
import { getOctokit } from '@actions/github';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPlanComment, upsertPlanComment } from '../src/comment';
import { runCommand, type CommandRunner } from '../src/exec';
import { systemClock } from '../src/clock';
import { run } from '../src/main';
import {
  fetchTrusting,
  registryDigest,
  startContainerRuntime,
  type ContainerRuntime,
} from '../emulation/containerRuntime';
import { startFakeGitHub, WORKFLOW_BOT, type FakeGitHub } from './support/fakeGitHub';
import { inputsFrom } from './support/inputs';
import { planSummaryOf } from '../emulation/planSummary';
import { createRecorder } from './support/recorder';

const TOKEN = 'ghs_workflowToken';
const PULL = 42;
const IMAGE = `docker.io/acme/shop@sha256:${'a'.repeat(64)}`;

let runtime: ContainerRuntime;
let github: FakeGitHub;
let workspace: string;
/** Unique per run: the registry's storage outlives the test. */
let path: string;

beforeAll(async () => {
  runtime = await startContainerRuntime();
  workspace = mkdtempSync(join(tmpdir(), 'approval-first-'));
  writeFileSync(join(workspace, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n');
  path = `ci/approval-first-${randomBytes(4).toString('hex')}`;
}, 600_000);

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
});

beforeEach(async () => {
  github = await startFakeGitHub({ tokens: { [TOKEN]: { user: WORKFLOW_BOT, installation: true } } });
});
afterEach(() => github.close());

/** Real docker against the podman service; terraform recorded and refused. */
function recordingRunner(dockerConfig: string) {
  const commands: string[] = [];
  const runner: CommandRunner = async (command, args, options = {}) => {
    commands.push(`${command} ${args[0] ?? ''}`);
    if (command !== 'docker') {
      return { exitCode: 1, stdout: '', stderr: `${command} is not run in this test` };
    }
    return runCommand(command, args, {
      ...options,
      silent: true,
      env: { ...options.env, DOCKER_HOST: runtime.dockerHost, DOCKER_CONFIG: dockerConfig },
    });
  };
  return { runner, commands };
}

/** One deploy of a fresh commit, building the workspace's Dockerfile into the local registry. */
async function deploy(commit: string, token = TOKEN) {
  const recorder = createRecorder();
  const docker = recordingRunner(join(workspace, `docker-config-${commit.slice(0, 8)}`));
  await run({
    readInput: inputsFrom({
      'aws-region': 'eu-west-1',
      'image-repository': `${runtime.registry}/${path}`,
      'dockerhub-username': runtime.username,
      'dockerhub-token': runtime.password,
      'build-context': '.',
      'build-args': `BASE_IMAGE=${runtime.baseImage}`,
      'working-directory': '.',
      'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
      'github-token': token,
      'require-approved-plan': 'true',
      'comment-on-pr': 'false',
      // The image here is a bare base image, no app: the preflight has its own suite.
      preflight: 'false',
    }),
    env: {
      GITHUB_SHA: commit,
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
      GITHUB_EVENT_NAME: 'push',
      RUNNER_TEMP: workspace,
    },
    paths: { workspace, bundledTerraform: workspace },
    log: recorder.log,
    reporter: recorder.reporter,
    clock: systemClock,
    fetch: fetchTrusting(runtime.caFile),
    runCommand: docker.runner,
    createClients: () => Promise.reject(new Error('no AWS client is needed before terraform')),
    createOctokit: (value) => Promise.resolve(getOctokit(value, { baseUrl: github.baseUrl })),
    maskSecret: () => undefined,
  });
  return { recorder, commands: docker.commands, pushed: registryDigest(runtime, path, commit) };
}

/** What the plan job does on the pull request, then the merge that made `commit`. */
async function approve(commit: string): Promise<void> {
  const headSha = randomBytes(20).toString('hex');
  await upsertPlanComment({
    octokit: getOctokit(TOKEN, { baseUrl: github.baseUrl }),
    owner: github.owner,
    repo: github.repo,
    issueNumber: PULL,
    workingDirectory: '.',
    body: renderPlanComment({
      summary: planSummaryOf([], [], `sha256:${'c'.repeat(64)}`),
      planText: 'No changes.',
      image: IMAGE,
      commit: headSha,
      workingDirectory: '.',
      runUrl: '',
      secrets: [],
    }),
    log: createRecorder().log,
  });
  github.setPullsForCommit(commit, [
    { number: PULL, merged_at: '2026-12-01T10:00:00Z', merge_commit_sha: commit, head_sha: headSha },
  ]);
}

describe('deploy with require-approved-plan', () => {
  it('stops an unapproved commit before docker runs: no image is pushed, one reason is logged', async () => {
    const commit = randomBytes(20).toString('hex');
    const { recorder, commands, pushed } = await deploy(commit);

    expect(commands).toEqual([]);
    expect(pushed).toBeUndefined();
    expect(recorder.outputs['failure-reason']).toBe('no-approved-plan');
    expect(recorder.outputs['image-digest']).toBeUndefined();
    expect(recorder.failures).toHaveLength(1);
    expect(recorder.failures[0]).toMatch(
      new RegExp(
        `^require-approved-plan: commit ${commit} is not part of any merged pull request, so no plan ` +
          'was approved for it\\.\nWhat to do: Deploy commits that reach the branch through a pull request',
      ),
    );
  });

  it('stops before docker runs when the token may not read the pull requests', async () => {
    const commit = randomBytes(20).toString('hex');
    await approve(commit);
    const { recorder, commands, pushed } = await deploy(commit, 'ghs_revoked');

    expect(commands).toEqual([]);
    expect(pushed).toBeUndefined();
    expect(recorder.failures).toHaveLength(1);
    expect(recorder.failures[0]).toContain(`Looking up the pull requests of commit ${commit}`);
  });

  it('builds and pushes an approved commit, then plans (the probe above sees a push)', async () => {
    const commit = randomBytes(20).toString('hex');
    await approve(commit);
    const { recorder, commands, pushed } = await deploy(commit);
    // The local copy only; the pushed image stays in the registry, which the runtime keeps.
    await runCommand('docker', ['image', 'rm', '--force', `${runtime.registry}/${path}:${commit}`], {
      silent: true,
      env: { DOCKER_HOST: runtime.dockerHost },
    });

    expect(recorder.text()).toContain(`Approved plan: `);
    expect(commands).toEqual(expect.arrayContaining(['docker login', 'docker build', 'docker push']));
    expect(commands.indexOf('docker push')).toBeLessThan(commands.indexOf('terraform init'));
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(recorder.outputs['image-digest']).toBe(pushed);
  });
});
