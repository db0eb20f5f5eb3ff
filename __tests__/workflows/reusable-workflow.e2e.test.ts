/**
 * The reusable workflow, executed by a real runner: nektos/act runs a team's caller workflow
 * (caller.yml) that calls .github/workflows/deploy.yml, for `push` (build, apply, rollout) and then
 * `pull_request` (plan + one comment), on this host. The image is private (the local registry wants a
 * login), so the caller passes a pull token, which the test then looks for in the region, the state,
 * the user data and the logs.
 *
 * Real: act evaluating both workflows (inputs, secrets, job `if:` per event, job outputs); the code of
 * the pinned actions/checkout, hashicorp/setup-terraform and aws-actions/configure-aws-credentials
 * from ../shared/actions/ (the folder CI clones beside this repository); the action's own commit
 * checked out by the workflow and run from it; docker build/push to the local registry; Terraform
 * applying the bundled stack into the emulated region; the rollout against it.
 * Stand-ins, each on 127.0.0.1: docker/setup-buildx-action (stand-ins/setup-buildx, it needs a
 * Docker daemon and a download); git hosting (git http-backend); releases.hashicorp.com (a proxy
 * serving this machine's Terraform, no checksum is fetched by setup-terraform); the runner's OIDC
 * token endpoint (unsigned token with GitHub's documented claims; moto's STS does not verify it);
 * the GitHub REST API (fakeGitHub); the smoke check's URL (the ALB's DNS name resolves nowhere).
 */
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommentMarker } from '../../src/comment';
import {
  registryDigest,
  startContainerRuntime,
  type ContainerRuntime,
} from '../../emulation/containerRuntime';
import { EMULATED_CREDENTIALS, startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { prepareEmulatedStack, terraformEnv, type EmulatedStack } from '../../emulation/stack';
import { startFakeGitHub, WORKFLOW_BOT, type FakeGitHub } from '../support/fakeGitHub';
import { startHealthServer } from '../../emulation/healthServer';
import {
  createLocalCa,
  publishRepository,
  runAct,
  startGitServer,
  startOidcStub,
  startReleasesProxy,
  terraformRelease,
  type ActRun,
} from '../support/workflowRunner';

const REPO_ROOT = resolve(__dirname, '../..');
// CI clones main with ../shared beside it; this suite reads the pinned actions' code from there.
// HA_SHARED_DIR points elsewhere for a checkout that is not beside it (a git worktree).
const SHARED_ACTIONS = join(process.env.HA_SHARED_DIR ?? resolve(REPO_ROOT, '../shared'), 'actions');
const PINNED = {
  'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1':
    'actions__checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
  'hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e':
    'hashicorp__setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e',
  'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c':
    'aws-actions__configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c',
};
const BUILDX = 'docker/setup-buildx-action@37fe631027851001ddb9b187196cc803df7f5f0e';
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'ci',
  GIT_AUTHOR_EMAIL: 'ci@example.com',
  GIT_COMMITTER_NAME: 'ci',
  GIT_COMMITTER_EMAIL: 'ci@example.com',
};
const TOKEN = 'ghs_act_workflow';

let dir: string;
let runtime: ContainerRuntime;
let region: EmulatedRegion;
let stack: EmulatedStack;
let health: Awaited<ReturnType<typeof startHealthServer>>;
let github: FakeGitHub;
let git: Awaited<ReturnType<typeof startGitServer>>;
let proxy: Awaited<ReturnType<typeof startReleasesProxy>>;
let oidc: Awaited<ReturnType<typeof startOidcStub>>;
let actionSha: string;
let callerDir: string;
let callerSha: string;
let repository: string;

function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' }).trim();
}

/** This repository as a release would be: its tracked files plus the built dist/, one commit. */
function snapshotOfThisRepository(target: string): string {
  mkdirSync(target);
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of [...files, 'dist']) {
    if (existsSync(join(REPO_ROOT, file)))
      cpSync(join(REPO_ROOT, file), join(target, file), { recursive: true });
  }
  gitIn(target, 'init', '-q', '-b', 'main');
  gitIn(target, 'add', '-A');
  gitIn(target, 'commit', '-q', '-m', 'ha-django-deploy snapshot');
  return gitIn(target, 'rev-parse', 'HEAD');
}

/** A team's repository: its app under web/ (a copy of app/) and the caller workflow. */
function callerRepository(target: string): string {
  mkdirSync(join(target, '.github/workflows'), { recursive: true });
  cpSync(join(REPO_ROOT, 'app'), join(target, 'web'), {
    recursive: true,
    filter: (path) => !/__pycache__|\.pytest_cache/.test(path),
  });
  cpSync(join(__dirname, 'caller.yml'), join(target, '.github/workflows/web.yml'));
  gitIn(target, 'init', '-q', '-b', 'main');
  gitIn(target, 'add', '-A');
  gitIn(target, 'commit', '-q', '-m', 'web app');
  gitIn(target, 'remote', 'add', 'origin', `${git.url}/acme/web`);
  return gitIn(target, 'rev-parse', 'HEAD');
}

beforeAll(async () => {
  if (!existsSync(SHARED_ACTIONS))
    throw new Error(
      `The pinned actions' code is not at ${SHARED_ACTIONS} (CI clones ../shared beside the repository).`,
    );
  if (!existsSync(join(REPO_ROOT, 'dist/index.js')))
    throw new Error('dist/index.js is missing: run npm run build first.');
  dir = mkdtempSync(join(tmpdir(), 'act-workflow-'));
  [runtime, region, health, github] = await Promise.all([
    startContainerRuntime(),
    startEmulatedRegion(),
    startHealthServer(),
    startFakeGitHub({
      owner: 'acme',
      repo: 'web',
      tokens: { [TOKEN]: { user: WORKFLOW_BOT, installation: true } },
    }),
  ]);
  stack = await prepareEmulatedStack(region);
  repository = `${runtime.registry}/act/web-${Date.now().toString(36)}`;
  const gitRoot = join(dir, 'git');
  git = await startGitServer(gitRoot);
  actionSha = snapshotOfThisRepository(join(dir, 'ha-django-deploy'));
  publishRepository(gitRoot, 'org/ha-django-deploy', join(dir, 'ha-django-deploy'));
  callerDir = join(dir, 'web');
  callerSha = callerRepository(callerDir);
  // pull_request runs check out the PR's merge ref, as GitHub serves it.
  publishRepository(gitRoot, 'acme/web', callerDir, { 'refs/pull/7/merge': callerSha });
  mkdirSync(join(dir, 'ca'));
  proxy = await startReleasesProxy(
    createLocalCa(join(dir, 'ca'), 'releases.hashicorp.com'),
    terraformRelease(dir),
  );
  oidc = await startOidcStub({
    sub: 'repo:acme/web:environment:production',
    repository: 'acme/web',
    job_workflow_ref: 'org/ha-django-deploy/.github/workflows/deploy.yml@refs/tags/v1',
    job_workflow_sha: actionSha,
  });
  writeFileSync(
    join(dir, 'ca-bundle.pem'),
    readFileSync(runtime.caFile, 'utf8') + readFileSync(join(dir, 'ca/ca.crt'), 'utf8'),
  );
}, 600_000);

afterAll(async () => {
  // Whatever beforeAll got to start, even when it failed halfway.
  const started = [health, github, git, proxy, oidc] as ({ close(): Promise<void> } | undefined)[];
  await Promise.all(started.map((server) => server?.close() ?? Promise.resolve()));
  await (region as EmulatedRegion | undefined)?.stop();
  if ((dir as string | undefined) !== undefined) rmSync(dir, { recursive: true, force: true });
});

function lines(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}

async function act(
  event: 'push' | 'pull_request',
  payload: object,
  vars: Record<string, string> = {},
  workflow = '.github/workflows/web.yml',
): Promise<ActRun> {
  const eventFile = join(dir, `${event}.json`);
  writeFileSync(eventFile, JSON.stringify(payload));
  return runAct({
    repo: callerDir,
    event,
    eventFile,
    workflow,
    cacheDir: mkdtempSync(join(dir, `act-${event}-`)),
    localRepositories: {
      'org/ha-django-deploy@v1': join(dir, 'ha-django-deploy'),
      ...Object.fromEntries(
        Object.entries(PINNED).map(([name, folder]) => [name, join(SHARED_ACTIONS, folder)]),
      ),
      [BUILDX]: join(__dirname, 'stand-ins/setup-buildx'),
    },
    secrets: {
      GITHUB_TOKEN: TOKEN,
      DOCKERHUB_USERNAME: runtime.username,
      DOCKERHUB_TOKEN: runtime.password,
      // The local registry has one account; its password stands in for a read-only pull token.
      DOCKERHUB_PULL_TOKEN: runtime.password,
    },
    vars: {
      IMAGE_REPOSITORY: repository,
      BACKEND_CONFIG: lines(stack.backendConfig),
      TERRAFORM_VARS: lines(stack.variables),
      BUILD_ARGS: `PYTHON_IMAGE=${runtime.baseImage}`,
      APP_URL: health.url,
      BUILD_CONTEXT: 'web',
      ...vars,
    },
    env: {
      ...terraformEnv(),
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_SERVER_URL: git.url,
      GITHUB_API_URL: github.baseUrl,
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token',
      AWS_ENDPOINT_URL: region.endpoint,
      // What configure-aws-credentials falls back to before it has assumed the role.
      AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
      HTTPS_PROXY: proxy.url,
      // configure-aws-credentials matches NO_PROXY entries against host:port.
      NO_PROXY: `127.0.0.1,localhost,${new URL(region.endpoint).host}`,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca-bundle.pem'),
      DOCKER_HOST: runtime.dockerHost,
      DOCKER_CONFIG: join(dir, `docker-config-${event}`),
    },
    timeoutMs: 15 * 60_000,
  });
}

/** On failure, the act log says why; a bare exit code would not. */
function expectJobSucceeded(run: ActRun): void {
  expect({ exitCode: run.exitCode, log: run.exitCode === 0 ? '' : run.log.slice(-12_000) }).toEqual({
    exitCode: 0,
    log: '',
  });
}

// GitHub's push and pull_request payloads name the repository's default branch.
const REPOSITORY = { full_name: 'acme/web', default_branch: 'main' };
const PUSH = (ref = 'refs/heads/main') => ({ ref, after: callerSha, repository: REPOSITORY });

describe('deploy.yml run by nektos/act through a caller', () => {
  let deployedImage: string;

  it('push with a build context the repository lacks: fails before building, naming the input', async () => {
    const run = await act('push', PUSH(), { BUILD_CONTEXT: 'services/web' });

    expect(run.exitCode).not.toBe(0);
    // act 0.2.82 on the host drops the output of a step that exits at once (reproduced with a bare
    // echo + exit 1), so the message itself is checked by running the step's script directly
    // (docs/adoption-docs.test.ts); here: that step failed and nothing after it ran.
    expect(run.log).toContain("❌  Failure - Main Check the app's build context");
    expect(run.log).not.toMatch(/docker build|terraform plan:|Assuming role|setup-buildx STAND-IN/);
  }, 300_000);

  it('push to another branch through a caller that does not limit its push trigger: refused before anything runs', async () => {
    // The team's caller as it should not be: `on: push` for every branch.
    const anyBranch = readFileSync(join(__dirname, 'caller.yml'), 'utf8').replace(
      /^ {2}push:\n {4}branches: \[main\]\n/m,
      '  push:\n',
    );
    expect(anyBranch).not.toContain('branches:');
    writeFileSync(join(callerDir, '.github/workflows/any-branch.yml'), anyBranch);
    try {
      const run = await act('push', PUSH('refs/heads/feature/login'), {}, '.github/workflows/any-branch.yml');

      expect(run.exitCode).not.toBe(0);
      // The step's message is checked by running its script (workflows/least-privilege.test.ts): act
      // drops the output of a step that exits at once.
      expect(run.log).toContain('❌  Failure - Main Check the ref this deploy ships');
      expect(run.log).not.toMatch(
        /Check the app's build context|docker build|terraform plan:|Assuming role|setup-buildx STAND-IN/,
      );
    } finally {
      rmSync(join(callerDir, '.github/workflows/any-branch.yml'));
    }
  }, 300_000);

  it('push: checks out the caller and the action at the workflow commit, builds the caller app, applies, rolls out', async () => {
    // The smoke check's stand-in answers as the caller's release would: with the commit it built.
    health.setCommits([callerSha]);
    const run = await act('push', PUSH());
    expectJobSucceeded(run);
    expect(run.log).toContain(
      `ha-django-deploy: deploying refs/heads/main at ${callerSha} (push; default branch main)`,
    );

    // The pull_request job was skipped by its `if:`, the deploy job ran.
    expect(run.log).toMatch(/\[web\/ha-django-deploy\/deploy\s*\] 🏁 {2}Job succeeded/);
    expect(run.log).not.toMatch(/\[web\/ha-django-deploy\/plan\s*\]/);
    // The action ran from the commit the OIDC claims name, not from a hard-coded tag.
    expect(run.log).toContain(`running the action from org/ha-django-deploy@${actionSha}`);
    expect(run.log).toContain("the OIDC token's job_workflow_ref and job_workflow_sha");
    expect(run.log).toContain('Building web with web/Dockerfile');
    expect(run.log).toContain('setup-buildx STAND-IN');
    // setup-terraform downloaded the release through the proxy; nothing else left the machine.
    expect(proxy.served).toEqual(expect.arrayContaining(['/terraform/index.json']));
    expect(proxy.refused).toEqual([]);
    expect(oidc.audiences).toEqual(expect.arrayContaining(['ha-django-deploy', 'sts.amazonaws.com']));

    const digest = registryDigest(runtime, repository.split('/').slice(1).join('/'), callerSha);
    deployedImage = `${repository}@${digest}`;
    expect(run.log).toContain(deployedImage);
    expect(run.log).toMatch(/terraform apply: applied/);
    expect(run.log).toMatch(/rollout done: 2 healthy instances on version 1/);
    expect(run.log).toContain('authenticated-arn=arn:aws:sts::123456789012:assumed-role/web-deploy/');
    expect(run.log.replace(/::add-mask::.*$/gm, '')).not.toContain(runtime.password);
  }, 900_000);

  it('push: stored the pull token as a SecureString the instances log in with, and nowhere in state or user data', async () => {
    const ssm = new SSMClient(region.clientConfig);
    const parameter = await ssm.send(
      new GetParameterCommand({ Name: '/demo/test/registry/pull-token', WithDecryption: true }),
    );
    expect(parameter.Parameter).toMatchObject({ Type: 'SecureString', Value: runtime.password });

    const { client: s3, bucket, key } = stack.stateStore;
    const state =
      (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ??
      '';
    expect(state).toContain('registry/pull-token');
    expect(state).not.toContain(runtime.password);

    const ec2 = new EC2Client(region.clientConfig);
    const versions = await ec2.send(
      // Every template's newest version: the stack has one template, on version 1.
      new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Latest'] }),
    );
    const userData = Buffer.from(
      versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData ?? '',
      'base64',
    ).toString();
    expect(userData).toContain(
      `docker login --username '${runtime.username}' --password-stdin '${runtime.registry}'`,
    );
    expect(userData).toContain(`docker pull '${deployedImage}'`);
    expect(userData).not.toContain(runtime.password);
  });

  it('pull_request: plans against the deployed image and comments once on the pull request', async () => {
    const run = await act('pull_request', {
      number: 7,
      pull_request: {
        number: 7,
        head: { sha: callerSha, repo: { full_name: 'acme/web' } },
        base: { ref: 'main' },
      },
      repository: REPOSITORY,
    });
    expectJobSucceeded(run);

    expect(run.log).toMatch(/\[web\/ha-django-deploy\/plan\s*\] 🏁 {2}Job succeeded/);
    expect(run.log).not.toMatch(/\[web\/ha-django-deploy\/deploy\s*\]/);
    expect(run.log).toContain('Plan comment created on pull request #7');
    expect(github.comments).toHaveLength(1);
    const body = github.comments[0]?.body ?? '';
    expect(github.comments[0]?.issueNumber).toBe(7);
    expect(parseCommentMarker(body)?.image).toBe(deployedImage);
    // Same token, same version: the pull login plans no change, and the plan never shows the token.
    expect(run.log).toContain('terraform plan: no changes');
    expect(body).not.toContain(runtime.password);
  }, 900_000);
});
