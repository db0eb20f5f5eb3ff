/**
 * One config per command: which inputs apply to which command is a type, so a command handler
 * cannot read a setting its command does not have.
 */

import type { AwsSettings } from '../aws';
import type { DeployGitHubSettings, PlanGitHubSettings } from '../comment';
import type { DeployImageSettings, ImageInputs, PreflightImageSettings } from '../image';
import type { ReleaseSettings } from '../release';
import type { RolloutOptions, RolloutSettings } from '../rollout';
import type { ScaleTestSettings } from '../scale';
import type { TerraformSettings } from '../terraform';

export const COMMANDS = ['deploy', 'plan', 'rollout', 'scale-test', 'preflight'] as const;
export type Command = (typeof COMMANDS)[number];

interface EveryCommand {
  aws: AwsSettings;
  /** Every input value that is a secret: masked in the log before anything runs. */
  secrets: string[];
}

/** `plan`: what a merge would change, commented on the pull request. */
export interface PlanConfig extends EveryCommand {
  command: 'plan';
  image: ImageInputs;
  terraform: TerraformSettings;
  github: PlanGitHubSettings;
}

/** `deploy`: the image, the plan and apply, then a rollout of the group the stack names. */
export interface DeployConfig extends EveryCommand {
  command: 'deploy';
  image: DeployImageSettings;
  terraform: TerraformSettings;
  github: DeployGitHubSettings;
  /** How to roll; the group and the commit come from the applied stack and the image. */
  rollout: RolloutOptions;
  /** The release's migrations, run once before the refresh; `rollout` and `plan` run none. */
  release: ReleaseSettings;
  /** Runs the image as the instances will before pushing or planning it (src/preflight). */
  preflight: boolean;
}

/** `rollout`: the group the inputs name, onto a launch template version. */
export interface RolloutConfig extends EveryCommand {
  command: 'rollout';
  rollout: RolloutSettings;
}

/** A group `scale-test` loads as named by the inputs, instead of reading the stack's outputs. */
export interface NamedGroup {
  asgName: string;
  /** Empty: the group's own target groups. */
  targetGroupArns: string[];
}

/** `scale-test`: load the fleet's CPU and watch it scale out. */
export interface ScaleTestConfig extends EveryCommand {
  command: 'scale-test';
  scaleTest: ScaleTestSettings;
  /** Undefined: read the group from the Terraform outputs. */
  group: NamedGroup | undefined;
  /** Reads the stack's outputs when no group is named. */
  terraform: TerraformSettings;
  pollIntervalSeconds: number;
  /** Where a failure's app log excerpt comes from; undefined: the stack's app_log_group output. */
  appLogGroup: string | undefined;
}

/** The paths the preflight requests, as the load balancer's health check and the smoke check do. */
export interface PreflightPaths {
  /** smoke-path, asked with the private-IP Host. */
  healthPath: string;
  /** smoke-app-path, asked with the public Host. */
  pagePath: string;
}

/** `preflight`: build locally (or take the given image) and check the app contract; nothing is pushed or planned. */
export interface PreflightConfig extends EveryCommand {
  command: 'preflight';
  image: PreflightImageSettings;
  paths: PreflightPaths;
}

export type Config = PlanConfig | DeployConfig | RolloutConfig | ScaleTestConfig | PreflightConfig;
