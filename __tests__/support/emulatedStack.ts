import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Test-only Terraform override for the emulated region, never shipped: local state instead of S3,
 * dummy credentials, and no calls to STS or the metadata service. The endpoint itself comes from
 * AWS_ENDPOINT_URL in Terraform's environment (the action sets it from aws-endpoint-url).
 */
const EMULATED_OVERRIDE = `terraform {
  backend "local" {}
}

provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
`;

export interface EmulatedStack {
  /** A copy of terraform/ with the override: the working directory to plan and apply. */
  dir: string;
  statePath: string;
  /** Variables every plan needs besides image; deletion protection off so destroy works. */
  variables: Record<string, string>;
  remove(): void;
}

export function prepareEmulatedStack(): EmulatedStack {
  const dir = mkdtempSync(join(tmpdir(), 'emulated-stack-'));
  for (const file of readdirSync(STACK)) {
    if (file.endsWith('.tf') || file.endsWith('.tftpl')) copyFileSync(join(STACK, file), join(dir, file));
  }
  writeFileSync(join(dir, 'emulated_override.tf'), EMULATED_OVERRIDE);
  return {
    dir,
    statePath: join(dir, 'state', 'terraform.tfstate'),
    variables: { project: 'demo', environment: 'test', deletion_protection: 'false' },
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The action inputs that point `plan` or `deploy` at this stack in that region. */
export function emulatedStackInputs(stack: EmulatedStack, region: EmulatedRegion): Record<string, string> {
  return {
    'aws-region': region.region,
    'aws-endpoint-url': region.endpoint,
    'working-directory': stack.dir,
    'backend-config': `path=${stack.statePath}`,
    'terraform-vars': Object.entries(stack.variables)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
  };
}
