import { BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { EmulatedRegion } from './emulatedRegion';

const STACK = resolve(__dirname, '../../terraform');

/**
 * Terraform's environment for tests: the machine's filesystem mirror of hashicorp/aws (found at
 * run time, or TF_PROVIDER_MIRROR) through a CLI config of its own, so no provider is downloaded.
 */
export function terraformEnv(): Record<string, string> {
  const automation = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  // GitHub CI: providers from registry.terraform.io, as users get them.
  if (process.env.TF_PROVIDERS_FROM_REGISTRY === '1') return automation;
  let mirror = process.env.TF_PROVIDER_MIRROR;
  if (!mirror) {
    const found = execFileSync(
      'bash',
      [
        '-c',
        "find / -xdev -path /proc -prune -o -type f -name 'terraform-provider-aws_*' -print 2>/dev/null | head -1",
      ],
      { encoding: 'utf8' },
    ).trim();
    if (!found) {
      throw new Error(
        'No terraform-provider-aws_* on this machine: set TF_PROVIDER_MIRROR to a filesystem mirror.',
      );
    }
    // <mirror>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*
    mirror = resolve(dirname(found), '../../../../..');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tf-cli-'));
  const cliConfig = join(dir, 'terraformrc');
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
  );
  return { ...automation, TF_CLI_CONFIG_FILE: cliConfig };
}

/** What `terraform init` leaves in the stack's directory. */
const INIT_ARTIFACTS = ['.terraform', '.terraform.lock.hcl'];

export interface EmulatedStack {
  /** The bundled terraform/, used in place exactly as the action uses it (no working-directory). */
  dir: string;
  /** The S3 backend's settings: state in a bucket of the emulated region, S3-native locking. */
  backendConfig: Record<string, string>;
  /** Variables every plan needs besides image; deletion protection off so destroy works. */
  variables: Record<string, string>;
  /** Removes what `terraform init` wrote into terraform/ during this run. */
  remove(): void;
}

/**
 * The shipped stack as it is, no override: its S3 backend keeps the state in a bucket of the
 * emulated region, and the provider finds the region through AWS_ENDPOINT_URL, which the action
 * sets from aws-endpoint-url, with the dummy credentials moto accepts.
 */
export async function prepareEmulatedStack(region: EmulatedRegion): Promise<EmulatedStack> {
  const bucket = `tfstate-${randomBytes(6).toString('hex')}`;
  await new S3Client({ ...region.clientConfig, forcePathStyle: true }).send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region.region as BucketLocationConstraint },
    }),
  );
  const createdByThisRun = INIT_ARTIFACTS.filter((name) => !existsSync(join(STACK, name)));
  return {
    dir: STACK,
    backendConfig: {
      bucket,
      key: 'web/terraform.tfstate',
      region: region.region,
      use_lockfile: 'true',
      // The endpoint is an IP address, so bucket names cannot go in the host name.
      use_path_style: 'true',
    },
    variables: { project: 'demo', environment: 'test', deletion_protection: 'false' },
    remove: () => {
      for (const name of createdByThisRun) rmSync(join(STACK, name), { recursive: true, force: true });
    },
  };
}

/** The action inputs that point `plan` or `deploy` at this stack in that region. */
export function emulatedStackInputs(stack: EmulatedStack, region: EmulatedRegion): Record<string, string> {
  const lines = (values: Record<string, string>) =>
    Object.entries(values)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n');
  return {
    'aws-region': region.region,
    'aws-endpoint-url': region.endpoint,
    'backend-config': lines(stack.backendConfig),
    'terraform-vars': lines(stack.variables),
  };
}
