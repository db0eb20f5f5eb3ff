import { type BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EmulatedRegion } from './region';

const STACK = resolve(__dirname, '../terraform');
const TERRAFORM_ENV_SCRIPT = resolve(__dirname, '../scripts/terraform-env.sh');

/**
 * Terraform's environment for tests, from scripts/terraform-env.sh (the one place that finds the
 * machine's filesystem mirror of hashicorp/aws and writes a CLI config for it), so no provider is
 * downloaded.
 */
export function terraformEnv(): Record<string, string> {
  let printed: string;
  try {
    printed = execFileSync('bash', ['-c', 'source "$0" && env -0', TERRAFORM_ENV_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`scripts/terraform-env.sh could not set Terraform up: ${stderr.trim()}`);
  }
  const variables = new Map(
    printed
      .split('\0')
      .filter((entry) => entry.includes('='))
      .map((entry): [string, string] => [
        entry.slice(0, entry.indexOf('=')),
        entry.slice(entry.indexOf('=') + 1),
      ]),
  );
  const names = [
    'TF_CLI_CONFIG_FILE',
    'TF_PROVIDER_MIRROR',
    'TF_IN_AUTOMATION',
    'TF_INPUT',
    'CHECKPOINT_DISABLE',
  ];
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = variables.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

/** What `terraform init` leaves in the stack's directory. */
const INIT_ARTIFACTS = ['.terraform', '.terraform.lock.hcl'];

export interface EmulatedStack {
  /** The bundled terraform/, used in place exactly as the action uses it (no working-directory). */
  dir: string;
  /** Where the S3 backend keeps the state (and its lock, beside it as `<key>.tflock`). */
  stateStore: { client: S3Client; bucket: string; key: string };
  /** The S3 backend's settings: state in a bucket of the emulated region, S3-native locking. */
  backendConfig: Record<string, string>;
  /** Variables every plan needs besides image; deletion protection off so destroy works. */
  variables: Record<string, string>;
  /**
   * Whether the stack creates its database (RDS, a real PostgreSQL server in a region started
   * with `database: true`) and `deploy` runs the release's migrations on an instance's host.
   */
  database: boolean;
  /**
   * For the one suite that inits the bundled terraform/ in place, as the action does (the deploy
   * suite): removes what `terraform init` wrote there if it was absent when the stack was
   * prepared. Every other run works in a copy (`copyStack`) and must not call it: suites start
   * side by side, so "absent at the start" cannot tell whose init wrote the lock file, and removing
   * it fails the in-place run's apply ("Inconsistent dependency lock file").
   */
  removeInPlaceInit(): void;
}

/**
 * The shipped stack as it is, no override: its S3 backend keeps the state in a bucket of the
 * emulated region, and the provider finds the region through AWS_ENDPOINT_URL, which the action
 * sets from aws-endpoint-url, with the dummy credentials moto accepts.
 */
export async function prepareEmulatedStack(
  region: EmulatedRegion,
  options: { database?: boolean } = {},
): Promise<EmulatedStack> {
  const database = options.database ?? false;
  const bucket = `tfstate-${randomBytes(6).toString('hex')}`;
  const key = 'web/terraform.tfstate';
  // The endpoint is an IP address, so bucket names cannot go in the host name.
  const client = new S3Client({ ...region.clientConfig, forcePathStyle: true });
  await client.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region.region as BucketLocationConstraint },
    }),
  );
  const createdByThisRun = INIT_ARTIFACTS.filter((name) => !existsSync(join(STACK, name)));
  return {
    dir: STACK,
    stateStore: { client, bucket, key },
    backendConfig: { bucket, key, region: region.region, use_lockfile: 'true', use_path_style: 'true' },
    // min_size 2: the region's target tracking scales an idle fleet in after AWS's 15 low CPU
    // datapoints, which its compressed metric period reaches within a suite, and the suites and the
    // demo count on two instances serving (as a production fleet that never drops below two).
    // The database where a suite asks for it (the region must run it: `database: true`); off,
    // the app runs as an app without one, as a team's app that needs none does.
    variables: {
      project: 'demo',
      environment: 'test',
      deletion_protection: 'false',
      min_size: '2',
      database: String(database),
    },
    database,
    removeInPlaceInit: () => {
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
    // Without a database, the migration step is off, as for a team's app that has none.
    ...(stack.database ? {} : { 'migration-command': '', 'migration-check-command': '' }),
    // The stack's release alarms and their 300 s bake belong to the suites about them
    // (release-alarms, the demo's deploy 4, bench/alarm-rollback.ts), which pass
    // 'rollback-alarms': '' for the deploy default; the other suites' time budgets hold no bake.
    'rollback-alarms': 'none',
  };
}

/**
 * A private copy of the bundled stack's configuration (no .terraform, no tests) in `dir`, for a
 * suite that runs beside others: `terraform init` in the shared terraform/ would swap one run's
 * backend for another's. Deploy it with `working-directory: <the returned path>`; same state.
 */
export function copyStack(stack: EmulatedStack, dir: string): string {
  cpSync(stack.dir, dir, {
    recursive: true,
    filter: (source) => !/\/\.terraform(\/|$)|\.terraform\.lock\.hcl$|\/tests(\/|$)/.test(source),
  });
  return dir;
}
