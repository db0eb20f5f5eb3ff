/** The Terraform inputs: which configuration, its backend, variables, lock and destroy guard. */

import { isSensitiveBackendKey, type TerraformSettings } from '../terraform';
import type { Command } from './commands';
import type { ConfigPaths, InputParser } from './parser';

const TERRAFORM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const BACKEND_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Terraform's duration syntax for -lock-timeout. */
const LOCK_TIMEOUT = /^\d+(ms|s|m|h)$/;
/** Keys without which the bundled stack's S3 backend cannot find its state. */
const REQUIRED_BACKEND_KEYS = ['bucket', 'key'];

/** rollout runs no Terraform, nor does a scale-test that names its group: their inputs are refused. */
function refuseTerraformInputs(inputs: InputParser, command: Command): void {
  for (const name of ['working-directory', 'backend-config', 'terraform-vars', 'var-files'] as const) {
    const value = inputs.raw(name);
    if (value !== '')
      inputs.problem(
        name,
        value,
        command === 'rollout'
          ? 'rollout runs no Terraform; use command: deploy to apply'
          : 'scale-test reads the stack from Terraform only when asg-name is empty; set one or the other',
      );
  }
}

/** terraform-vars: any variable but the ones the action sets itself or takes as secrets. */
function parseVariables(inputs: InputParser, backendConfig: Record<string, string>): Record<string, string> {
  const variables = inputs.keyValues('terraform-vars', TERRAFORM_NAME, 'a Terraform variable name');
  if ('image' in variables) {
    inputs.problem(
      'terraform-vars',
      'image=...',
      'the action sets image itself; use the image input to deploy a given image',
    );
  }
  for (const key of Object.keys(backendConfig).filter(isSensitiveBackendKey)) {
    inputs.sensitiveValues.push(backendConfig[key] ?? '');
  }
  for (const name of ['registry_pull_token', 'registry_username'].filter(
    (variable) => variable in variables,
  )) {
    inputs.problem(
      'terraform-vars',
      `${name}=...`,
      'a -var would put it on the command line and in the plan: use the pull-token and pull-username inputs',
    );
  }
  return variables;
}

export function parseTerraform(inputs: InputParser, command: Command, paths: ConfigPaths): TerraformSettings {
  const namesGroup = command === 'scale-test' && inputs.raw('asg-name') !== '';
  if (command === 'rollout' || namesGroup) refuseTerraformInputs(inputs, command);
  const directoryText = inputs.raw('working-directory');
  const bundled = directoryText === '';
  const backendConfig = inputs.keyValues('backend-config', BACKEND_KEY, 'a backend setting such as bucket');
  // preflight stops before Terraform: a pull request job may share the deploy's inputs.
  const usesTerraform = command !== 'rollout' && command !== 'preflight' && !namesGroup;
  if (usesTerraform && bundled && inputs.isValid('backend-config')) {
    const missing = REQUIRED_BACKEND_KEYS.filter((key) => !(key in backendConfig));
    if (missing.length > 0) {
      inputs.problem(
        'backend-config',
        inputs.raw('backend-config'),
        `the bundled stack keeps its state in S3 and needs ${missing.join(' and ')}: e.g. bucket=acme-tfstate, key=web/prod.tfstate, region=eu-west-1`,
      );
    }
  }
  const variables = parseVariables(inputs, backendConfig);
  const lockTimeout = inputs.raw('lock-timeout');
  if (!LOCK_TIMEOUT.test(lockTimeout)) {
    inputs.problem('lock-timeout', lockTimeout, 'expected a Terraform duration such as 30s, 5m or 1h');
  }
  const protectedResourceTypes = inputs.list('protected-resource-types');
  for (const type of protectedResourceTypes) {
    if (!/^[a-z][a-z0-9_]*$/.test(type)) {
      inputs.problem('protected-resource-types', type, 'expected Terraform resource types such as aws_vpc');
    }
  }
  const workingDirectory =
    bundled || !usesTerraform
      ? paths.bundledTerraform
      : inputs.workspacePath('working-directory', directoryText, 'directory');
  const varFiles = usesTerraform
    ? inputs.lines('var-files').map((file) => inputs.workspacePath('var-files', file, 'file'))
    : [];
  return {
    workingDirectory,
    label: bundled ? 'terraform (bundled)' : directoryText,
    backendConfig,
    variables,
    varFiles,
    lockTimeout,
    allowDestroy: inputs.boolean('allow-destroy'),
    protectedResourceTypes,
  };
}
