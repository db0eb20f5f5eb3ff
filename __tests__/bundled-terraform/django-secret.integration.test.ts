/**
 * The Django SECRET_KEY of the bundled stack, planned and applied for real: the Terraform CLI and
 * the mirrored hashicorp/aws provider against the emulated region (moto), with the stack's own S3
 * backend. The key is drawn by the ephemeral aws_secretsmanager_random_password (moto implements
 * GetRandomPassword) and written through the parameter's write-only value_wo; it must reach SSM and
 * nothing else: not the plan, not the apply log, not the state object.
 *
 * The whole stack is planned; the apply is targeted at the parameter, because applying everything
 * is the deploy suite's job (minutes) and the secret's path through Terraform is the same.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulatedRegion, EMULATED_CREDENTIALS, type EmulatedRegion } from '../../emulation/region';
import { copyStack, prepareEmulatedStack, terraformEnv, type EmulatedStack } from '../../emulation/stack';

const IMAGE = `docker.io/acme/web@sha256:${'1'.repeat(64)}`;
const PARAMETER = '/demo/test/DJANGO_SECRET_KEY';

let region: EmulatedRegion;
let stack: EmulatedStack;
let terraformSetup: Record<string, string>;
// A private copy of the stack, with its saved plan: the deploy suite inits the checkout's terraform/
// in place at the same time, and an init here would swap its backend under it.
let workDir: string;
let stackDir: string;

beforeAll(async () => {
  terraformSetup = terraformEnv();
  workDir = mkdtempSync(join(tmpdir(), 'django-secret-'));
  region = await startEmulatedRegion();
  stack = await prepareEmulatedStack(region);
  stackDir = copyStack(stack, join(workDir, 'terraform'));
}, 120_000);

afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await region.stop();
});

/** Runs terraform in the stack with the action's environment; returns everything it printed. */
function terraform(args: string[], extraEnv: Record<string, string> = {}): string {
  const result = spawnSync('terraform', args, {
    cwd: stackDir,
    encoding: 'utf8',
    timeout: 600_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...terraformSetup,
      AWS_REGION: region.region,
      AWS_ENDPOINT_URL: region.endpoint,
      AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
      ...Object.fromEntries(
        Object.entries(stack.variables).map(([name, value]) => [`TF_VAR_${name}`, value]),
      ),
      TF_VAR_image: IMAGE,
      ...extraEnv,
    },
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`terraform ${args[0] ?? ''} exited ${result.status}:\n${output}`);
  return output;
}

async function stateObject(): Promise<string> {
  const { client, bucket, key } = stack.stateStore;
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

async function storedKey(): Promise<{ value: string; version: number }> {
  const ssm = new SSMClient(region.clientConfig);
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: PARAMETER, WithDecryption: true }));
  return { value: Parameter?.Value ?? '', version: Parameter?.Version ?? 0 };
}

describe('the Django SECRET_KEY through a real plan and apply (emulated region)', () => {
  it('reaches SSM and neither the plan, the apply log nor the state', async () => {
    const backend = Object.entries(stack.backendConfig).map(
      ([key, value]) => `-backend-config=${key}=${value}`,
    );
    const log = [terraform(['init', '-input=false', '-no-color', '-reconfigure', ...backend])];
    const planFile = join(workDir, 'secret.tfplan');
    log.push(terraform(['plan', '-input=false', '-no-color', `-out=${planFile}`]));
    log.push(terraform(['show', '-no-color', planFile]));
    log.push(terraform(['show', '-json', planFile]));
    log.push(
      terraform([
        'apply',
        '-input=false',
        '-no-color',
        '-target=module.web_tier.aws_ssm_parameter.django_secret_key',
        '-auto-approve',
      ]),
    );

    const { value, version } = await storedKey();
    // What GetRandomPassword drew: 64 characters, no punctuation (password_length, exclude_punctuation).
    expect(value).toMatch(/^[A-Za-z0-9]{64}$/);
    const everything = log.join('\n');
    expect(everything).toContain('aws_ssm_parameter.django_secret_key');
    expect(everything).not.toContain(value);
    const state = await stateObject();
    expect(state).toContain('"django_secret_key"');
    expect(state).not.toContain(value);
    // The write-only value is recorded as absent, its version as set.
    expect(state).toMatch(/"value_wo": null/);
    expect(state).toMatch(/"value_wo_version": 1/);

    // The next plan keeps the key (a new one only when django_secret_key_version is raised).
    const again = terraform([
      'plan',
      '-input=false',
      '-no-color',
      '-target=module.web_tier.aws_ssm_parameter.django_secret_key',
      '-detailed-exitcode',
    ]);
    expect(again).not.toContain(value);
    expect(await storedKey()).toEqual({ value, version });

    terraform(
      [
        'apply',
        '-input=false',
        '-no-color',
        '-target=module.web_tier.aws_ssm_parameter.django_secret_key',
        '-auto-approve',
      ],
      { TF_VAR_django_secret_key_version: '2' },
    );
    const rotated = await storedKey();
    expect(rotated.value).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(rotated.value).not.toBe(value);
    expect(await stateObject()).not.toContain(rotated.value);
  }, 900_000);
});
