/**
 * require-approved-plan binds the saved plan that apply runs, through the bundle (`node dist/index.js`):
 * the real Terraform CLI and AWS provider against the emulated region (a launch template carrying
 * the image plain and in base64 user_data, a terraform_data carrying it base64+gzip), the plan job
 * commenting on a pull request of the GitHub REST stand-in, then the deploy of its merge building a
 * new image into the authenticated local registry (the container runtime) and planning at it.
 * A resource that exists only when the image changes was never in the approved plan: refused.
 * The same stack without it differs from the approved plan only in the image: applied.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainerRuntime, type ContainerRuntime } from '../../emulation/containerRuntime';
import { EMULATED_CREDENTIALS, startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { runAction, type ActionRun } from '../../emulation/runAction';
import { terraformEnv } from '../../emulation/stack';
import { startFakeGitHub, WORKFLOW_BOT, type FakeGitHub } from '../support/fakeGitHub';

const TOKEN = 'ghs_planBinding';
/** The image deployed before the pull request: the plan job plans at it (the stack's `image` output). */
const DEPLOYED = `127.0.0.1:5000/ci/deployed@sha256:${'d'.repeat(64)}`;

let runtime: ContainerRuntime;
let region: EmulatedRegion;
let github: FakeGitHub;
let workspace: string;
let tfEnv: Record<string, string>;

beforeAll(async () => {
  runtime = await startContainerRuntime();
  region = await startEmulatedRegion();
  github = await startFakeGitHub({
    owner: 'acme',
    repo: 'web',
    tokens: { [TOKEN]: { user: WORKFLOW_BOT, installation: true } },
  });
  workspace = mkdtempSync(join(tmpdir(), 'plan-binding-'));
  writeFileSync(join(workspace, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n');
  tfEnv = terraformEnv();
}, 600_000);

afterAll(async () => {
  await github.close();
  await region.stop();
  rmSync(workspace, { recursive: true, force: true });
});

/** The test stack: the image in a launch template and a terraform_data, and in the outputs. */
function stackConfig(region: EmulatedRegion, name: string, onlyWithNewImage: string): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region                      = "${region.region}"
  access_key                  = "${EMULATED_CREDENTIALS.accessKeyId}"
  secret_key                  = "${EMULATED_CREDENTIALS.secretAccessKey}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
variable "image" { type = string }
variable "instance_type" {
  type    = string
  default = "t3.small"
}
resource "aws_launch_template" "web" {
  name          = "${name}"
  description   = "Runs \${var.image}"
  image_id      = "ami-12c6146b"
  instance_type = var.instance_type
  user_data     = base64encode("#!/bin/bash\\ndocker run '\${var.image}'\\n")
}
resource "terraform_data" "boot" {
  input = base64gzip("runcmd:\\n  - docker pull \${var.image}\\n")
}
${onlyWithNewImage}
output "image" { value = var.image }
output "launch_template_version" { value = aws_launch_template.web.latest_version }
`;
}

/** Exists only when the deploy's image is not the deployed one: nothing a reviewer ever saw. */
const SIDECAR = `
resource "terraform_data" "sidecar" {
  count = var.image != "${DEPLOYED}" ? 1 : 0
  input = "reads every request"
}
`;

function terraform(dir: string, args: string[]): string {
  return execFileSync('terraform', args, {
    cwd: dir,
    env: {
      ...process.env,
      ...tfEnv,
      AWS_ENDPOINT_URL: region.endpoint,
      AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
    },
    encoding: 'utf8',
  });
}

/** A stack already applied at DEPLOYED, as the last deploy left it. */
function deployedStack(name: string, extra: string): string {
  const dir = join(workspace, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.tf'), stackConfig(region, name, extra));
  terraform(dir, ['init', '-input=false', '-no-color']);
  terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color', `-var=image=${DEPLOYED}`]);
  return dir;
}

function baseInputs(stack: string): Record<string, string> {
  return {
    'aws-region': region.region,
    'aws-endpoint-url': region.endpoint,
    'working-directory': stack,
    'github-token': TOKEN,
    'comment-on-pr': 'true',
  };
}

function actionEnv(extra: Record<string, string>): Record<string, string> {
  return {
    ...tfEnv,
    DOCKER_HOST: runtime.dockerHost,
    DOCKER_CONFIG: join(workspace, 'docker-config'),
    NODE_EXTRA_CA_CERTS: runtime.caFile,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_API_URL: github.baseUrl,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: workspace,
    ...extra,
  };
}

/** The plan job on pull request `number`, then its merge: returns the merge commit. */
async function reviewAndMerge(stack: string, number: number): Promise<string> {
  const headSha = randomBytes(20).toString('hex');
  const mergeSha = randomBytes(20).toString('hex');
  const event = join(workspace, `event-${number}.json`);
  writeFileSync(event, JSON.stringify({ pull_request: { number, head: { sha: headSha } } }));
  const plan = await runAction(
    { ...baseInputs(stack), command: 'plan' },
    actionEnv({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_SHA: headSha }),
  );
  expect({ exitCode: plan.exitCode, log: plan.exitCode === 0 ? '' : plan.stdout }).toEqual({
    exitCode: 0,
    log: '',
  });
  expect(plan.outputs.image).toBe(DEPLOYED);
  github.setPullsForCommit(mergeSha, [
    { number, merged_at: '2026-12-01T10:00:00Z', merge_commit_sha: mergeSha, head_sha: headSha },
  ]);
  return mergeSha;
}

/** The deploy of the merge: builds a new image (a new revision label) and plans at it. */
function deploy(stack: string, mergeSha: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(
    {
      ...baseInputs(stack),
      ...extra,
      command: 'deploy',
      'require-approved-plan': 'true',
      'image-repository': `${runtime.registry}/ci/plan-binding-${randomBytes(4).toString('hex')}`,
      'dockerhub-username': runtime.username,
      'dockerhub-token': runtime.password,
      'build-context': '.',
      'build-args': `BASE_IMAGE=${runtime.baseImage}`,
      // The image is a bare base image, not an app: the binding is under test, not the app contract.
      preflight: 'false',
    },
    actionEnv({ GITHUB_EVENT_NAME: 'push', GITHUB_SHA: mergeSha }),
  );
}

function stateAddresses(stack: string): string[] {
  return terraform(stack, ['state', 'list']).trim().split('\n');
}

describe('require-approved-plan binds the saved plan apply runs', () => {
  it('refuses a resource that exists only at the new image: plan-changed, nothing applied', async () => {
    const stack = deployedStack('with-sidecar', SIDECAR);
    const mergeSha = await reviewAndMerge(stack, 7);
    const run = await deploy(stack, mergeSha);

    expect({ exitCode: run.exitCode, reason: run.outputs['failure-reason'] }).toEqual({
      exitCode: 1,
      reason: 'plan-changed',
    });
    expect(run.stdout).toContain('differs from the one approved on pull request #7');
    expect(run.stdout).toContain('New in this plan (1):\n    + terraform_data.sidecar[0]');
    expect(run.stdout).not.toContain('Terraform: apply the saved plan');
    expect(stateAddresses(stack)).not.toContain('terraform_data.sidecar[0]');
    expect(terraform(stack, ['output', '-raw', 'image'])).toBe(DEPLOYED);
    expect(github.comments.find((comment) => comment.issueNumber === 7)?.body).toContain(
      'Failure reason: `plan-changed`',
    );
  }, 600_000);

  it('applies a plan that differs from the approved one only in the image (plain, base64, base64+gzip, outputs)', async () => {
    const stack = deployedStack('image-only', '');
    const mergeSha = await reviewAndMerge(stack, 8);
    const run = await deploy(stack, mergeSha);

    expect(run.stdout).toContain('The plan matches the one approved on pull request #8');
    expect(run.stdout).toContain('terraform apply: applied');
    // The test stack is no web tier: after the apply the run stops at its missing group outputs.
    expect(run.outputs['failure-reason']).toBe('terraform-outputs-missing');
    const applied = terraform(stack, ['output', '-raw', 'image']);
    expect(applied).not.toBe(DEPLOYED);
    expect(applied).toBe(run.outputs.image);
  }, 600_000);

  it('refuses an attribute changed beside the image, naming the resource', async () => {
    const stack = deployedStack('attribute', '');
    const mergeSha = await reviewAndMerge(stack, 9);
    const run = await deploy(stack, mergeSha, { 'terraform-vars': 'instance_type=t3.large' });

    expect(run.outputs['failure-reason']).toBe('plan-changed');
    expect(run.stdout).toContain('New in this plan (1):\n    ~ aws_launch_template.web');
    expect(run.stdout).not.toContain('Terraform: apply the saved plan');
  }, 600_000);
});
