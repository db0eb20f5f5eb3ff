/** The rollout's inputs: the group (for `rollout`), the refresh's preferences and the waits. */

import {
  AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS,
  IN_PROGRESS_POLICIES,
  SCALE_IN_PROTECTED_POLICIES,
  STANDBY_POLICIES,
  TIMEOUT_POLICIES,
  AWS_MAX_REFRESH_ALARMS,
  type RolloutOptions,
  type RolloutTarget,
} from '../rollout/settings';
import type { Command } from './commands';
import type { InputParser } from './parser';

const TARGET_GROUP_ARN_PATTERN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/**
 * A path the smoke check appends to the app URL: it cannot start with `//` (which would name
 * another host) or carry spaces, quotes or backslashes.
 */
const SMOKE_PATH = /^\/(?!\/)[A-Za-z0-9\-._~/?=&%]*$/;

/** Inputs that name the group directly; `deploy` and `plan` take them from Terraform instead. */
const ROLLOUT_TARGET_INPUTS = ['asg-name', 'target-group-arn', 'launch-template-version'] as const;
/** scale-test may name its group too (a group managed elsewhere); it rolls nothing, so no version. */
const SCALE_TEST_TARGET_INPUTS: readonly string[] = ['asg-name', 'target-group-arn'];

/** asg-name, target-group-arn and launch-template-version belong to `rollout` (scale-test may name its group). */
function refuseGroupInputsOutsideRollout(inputs: InputParser, command: Command): void {
  if (command === 'rollout') return;
  for (const name of ROLLOUT_TARGET_INPUTS) {
    const value = inputs.raw(name);
    if (value !== '' && !(command === 'scale-test' && SCALE_TEST_TARGET_INPUTS.includes(name))) {
      inputs.problem(
        name,
        value,
        `only applies to command: rollout; ${command} reads it from the Terraform outputs it applies`,
      );
    }
  }
}

function parseAsgName(inputs: InputParser, command: Command): string {
  const asgName = inputs.raw('asg-name');
  if (
    (command === 'rollout' || (command === 'scale-test' && asgName !== '')) &&
    (asgName === '' || asgName.length > 255 || asgName.startsWith('arn:'))
  ) {
    inputs.problem(
      'asg-name',
      asgName,
      'expected the Auto Scaling group name (not its ARN), 1-255 characters',
    );
  }
  return asgName;
}

function parseTargetGroupArns(inputs: InputParser): string[] {
  const targetGroupArns = inputs.list('target-group-arn');
  for (const arn of targetGroupArns) {
    if (!TARGET_GROUP_ARN_PATTERN.test(arn)) {
      inputs.problem(
        'target-group-arn',
        arn,
        'expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex id>, or leave empty to use the group’s own target groups',
      );
    }
  }
  return targetGroupArns;
}

function parseLaunchTemplateVersion(inputs: InputParser): number | undefined {
  const versionInput = inputs.raw('launch-template-version');
  if (versionInput === '$Latest' || versionInput === '$Default') {
    inputs.problem(
      'launch-template-version',
      versionInput,
      'expected a version number: AWS cannot roll back a refresh to $Latest or $Default (IrreversibleInstanceRefresh); leave empty to use the latest version’s number',
    );
    return undefined;
  }
  return inputs.optionalInteger('launch-template-version', 1, Number.MAX_SAFE_INTEGER);
}

/** min/max-healthy-percentage, within what AWS accepts. */
function parseHealthyRange(inputs: InputParser): { min: number; max: number } {
  const min = inputs.integer('min-healthy-percentage', 0, 100);
  const max = inputs.integer('max-healthy-percentage', 100, 200);
  if (!inputs.isValid('min-healthy-percentage', 'max-healthy-percentage')) return { min, max };
  if (max - min > 100) {
    inputs.problem(
      'max-healthy-percentage',
      String(max),
      `AWS allows at most 100 points between min-healthy-percentage (${min}) and max-healthy-percentage`,
    );
  }
  // min 100 / max 100 is AWS's documented one-at-a-time mode: it launches each replacement before
  // terminating the instance it replaces, so no capacity is lost ("Instance refresh: minimum and
  // maximum healthy percentage", EC2 Auto Scaling user guide).
  return { min, max };
}

/** Strictly ascending whole percentages ending at 100, and a delay only together with them. */
function parseCheckpoints(inputs: InputParser): { percentages: number[]; delaySeconds: number | undefined } {
  const percentages = inputs.list('checkpoint-percentages').map((item) => {
    const value = Number(item);
    if (!/^\d+$/.test(item) || value < 1 || value > 100) {
      inputs.problem('checkpoint-percentages', item, 'expected whole numbers from 1 to 100');
    }
    return value;
  });
  const ascending = percentages.every((value, i) => i === 0 || value > (percentages[i - 1] ?? 0));
  if (inputs.isValid('checkpoint-percentages') && !ascending) {
    inputs.problem('checkpoint-percentages', percentages.join(','), 'expected strictly ascending values');
  } else if (
    inputs.isValid('checkpoint-percentages') &&
    percentages.length > 0 &&
    percentages.at(-1) !== 100
  ) {
    inputs.problem(
      'checkpoint-percentages',
      percentages.join(','),
      'the last checkpoint must be 100, or the refresh stops before replacing every instance',
    );
  }
  const delaySeconds = inputs.optionalInteger('checkpoint-delay-seconds', 0, 172800);
  if (delaySeconds !== undefined && percentages.length === 0) {
    inputs.problem(
      'checkpoint-delay-seconds',
      String(delaySeconds),
      'only applies with checkpoint-percentages; set both or neither',
    );
  }
  return { percentages, delaySeconds };
}

/** wait-timeout-minutes and poll-interval-seconds; a poll must fit in the wait. */
function parseWaitTimes(inputs: InputParser): { waitTimeoutMinutes: number; pollIntervalSeconds: number } {
  const waitTimeoutMinutes = inputs.positiveNumber('wait-timeout-minutes', 360, 'minutes');
  const pollIntervalSeconds = inputs.positiveNumber('poll-interval-seconds', 300, 'seconds');
  if (
    inputs.isValid('wait-timeout-minutes', 'poll-interval-seconds') &&
    pollIntervalSeconds > waitTimeoutMinutes * 60
  ) {
    inputs.problem(
      'poll-interval-seconds',
      String(pollIntervalSeconds),
      `must be shorter than wait-timeout-minutes (${waitTimeoutMinutes} min)`,
    );
  }
  return { waitTimeoutMinutes, pollIntervalSeconds };
}

/** The checkpoints' pauses must fit in the wait, or the wait times out on a healthy refresh. */
function refuseCheckpointsLongerThanWait(
  inputs: InputParser,
  checkpoints: { percentages: number[]; delaySeconds: number | undefined },
  waitTimeoutMinutes: number,
): void {
  const { percentages, delaySeconds } = checkpoints;
  const budget = checkpointWaitSeconds(percentages, delaySeconds);
  if (
    !inputs.isValid('checkpoint-percentages', 'checkpoint-delay-seconds', 'wait-timeout-minutes') ||
    budget < waitTimeoutMinutes * 60
  ) {
    return;
  }
  const delay =
    delaySeconds === undefined
      ? `${AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS} s each (AWS's default when checkpoint-delay-seconds is empty)`
      : `${delaySeconds} s each (checkpoint-delay-seconds)`;
  inputs.problem(
    'wait-timeout-minutes',
    String(waitTimeoutMinutes),
    `checkpoint-percentages ${percentages.join(',')} pause the refresh ${percentages.length - 1} time(s) for ${delay}, ${budget} s in all, which does not fit the wait; raise wait-timeout-minutes above ${Math.ceil(budget / 60)} or set a shorter checkpoint-delay-seconds`,
  );
}

function parseExpectedCommit(inputs: InputParser, command: Command): string | undefined {
  const expectedCommit = inputs.raw('expected-commit');
  if (expectedCommit === '') return undefined;
  if (command !== 'rollout') {
    inputs.problem(
      'expected-commit',
      expectedCommit,
      `only applies to command: rollout; ${command} knows the commit of the image it deploys`,
    );
  } else if (!/^[0-9a-f]{7,40}$/.test(expectedCommit)) {
    inputs.problem(
      'expected-commit',
      expectedCommit,
      'expected a git commit SHA (7 to 40 lowercase hex digits)',
    );
  }
  return expectedCommit;
}

/** Appended to the app URL, so it cannot name a second host. */
function parseSmokePath(inputs: InputParser): string {
  const smokePath = inputs.raw('smoke-path');
  if (!SMOKE_PATH.test(smokePath)) {
    inputs.problem(
      'smoke-path',
      smokePath,
      'expected a URL path starting with a single /, e.g. /health/ (letters, digits and - . _ ~ / ? = & % only)',
    );
  }
  return smokePath;
}

function parseSmokeAppPath(inputs: InputParser): string {
  const smokeAppPath = inputs.raw('smoke-app-path');
  if (!smokeAppPath.startsWith('/') || /\s/.test(smokeAppPath)) {
    inputs.problem('smoke-app-path', smokeAppPath, 'expected a URL path starting with /, e.g. /');
  }
  return smokeAppPath;
}

/** The group the inputs name (for `rollout`), apart from how to roll it (for `rollout` and `deploy`). */
export function parseRollout(
  inputs: InputParser,
  command: Command,
): { target: RolloutTarget; options: RolloutOptions } {
  refuseGroupInputsOutsideRollout(inputs, command);
  const asgName = parseAsgName(inputs, command);
  const targetGroupArns = parseTargetGroupArns(inputs);
  const launchTemplateVersion = parseLaunchTemplateVersion(inputs);
  const healthy = parseHealthyRange(inputs);
  const checkpoints = parseCheckpoints(inputs);
  const smokePath = parseSmokePath(inputs);
  const { waitTimeoutMinutes, pollIntervalSeconds } = parseWaitTimes(inputs);
  refuseCheckpointsLongerThanWait(inputs, checkpoints, waitTimeoutMinutes);
  const expectedCommit = parseExpectedCommit(inputs, command);
  const smokeAppPath = parseSmokeAppPath(inputs);
  const bakeTimeSeconds = inputs.optionalInteger('bake-time-seconds', 0, AWS_MAX_BAKE_SECONDS);
  if (bakeTimeSeconds !== undefined && bakeTimeSeconds >= waitTimeoutMinutes * 60) {
    inputs.problem(
      'bake-time-seconds',
      String(bakeTimeSeconds),
      `the refresh bakes this long after its last replacement, which does not fit wait-timeout-minutes (${waitTimeoutMinutes}); raise wait-timeout-minutes or shorten the bake`,
    );
  }
  const options: RolloutOptions = {
    minHealthyPercentage: healthy.min,
    maxHealthyPercentage: healthy.max,
    instanceWarmupSeconds: inputs.optionalInteger('instance-warmup', 0, 86400),
    skipMatching: inputs.boolean('skip-matching'),
    autoRollback: inputs.boolean('auto-rollback'),
    checkpointPercentages: checkpoints.percentages,
    checkpointDelaySeconds: checkpoints.delaySeconds,
    onRefreshInProgress: inputs.oneOf('on-refresh-in-progress', IN_PROGRESS_POLICIES),
    onTimeout: inputs.oneOf('on-timeout', TIMEOUT_POLICIES),
    forceRefresh: inputs.boolean('force-refresh'),
    waitTimeoutSeconds: Math.round(waitTimeoutMinutes * 60),
    pollIntervalSeconds,
    smokePath,
    appUrl: inputs.url('app-url'),
    smokeCheck: inputs.boolean('smoke-check'),
    rollbackOnCheckFailure: inputs.boolean('rollback-on-check-failure'),
    scaleInProtectedInstances: inputs.oneOf('scale-in-protected-instances', SCALE_IN_PROTECTED_POLICIES),
    standbyInstances: inputs.oneOf('standby-instances', STANDBY_POLICIES),
    smokeAppPath,
    appLogGroup: logGroupName(inputs, 'app-log-group'),
    rollbackAlarms: parseRollbackAlarms(inputs),
    bakeTimeSeconds,
  };
  return { target: { asgName, targetGroupArns, launchTemplateVersion, expectedCommit }, options };
}

/** Seconds the refresh spends paused at checkpoints: every checkpoint but the last (100) pauses. */
function checkpointWaitSeconds(percentages: number[], delaySeconds: number | undefined): number {
  const pauses = Math.max(0, percentages.length - 1);
  return pauses * (delaySeconds ?? AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS);
}

/** AWS BakeTime's range (StartInstanceRefresh, RefreshPreferences). */
const AWS_MAX_BAKE_SECONDS = 172800;
/** CloudWatch's alarm name rule: 1-255 characters, no control characters. */
const ALARM_NAME = /^[^\p{Cc}]{1,255}$/u;

/**
 * rollback-alarms: alarm names, or `none` for no alarms; empty means the stack's release alarms
 * (deploy) or none (rollout). Whether they exist, fire in time and fit AWS's limit is checked
 * against CloudWatch before the refresh starts.
 */
function parseRollbackAlarms(inputs: InputParser): string[] | undefined {
  const names = inputs.list('rollback-alarms');
  if (names.length === 0) return undefined;
  if (names.length === 1 && names[0] === 'none') return [];
  for (const name of names.filter((item) => !ALARM_NAME.test(item))) {
    inputs.problem(
      'rollback-alarms',
      name,
      'expected CloudWatch alarm names (1-255 characters each), or none',
    );
  }
  if (names.length > AWS_MAX_REFRESH_ALARMS) {
    inputs.problem(
      'rollback-alarms',
      names.join(','),
      `AWS watches at most ${AWS_MAX_REFRESH_ALARMS} alarms per instance refresh (AlarmSpecification); with bake-time-seconds, name the ones that mean the release hurts users`,
    );
  }
  return names;
}

/** CloudWatch Logs' own rule for group names: 1-512 of letters, digits and `._-/#`. */
function logGroupName(inputs: InputParser, name: string): string | undefined {
  const value = inputs.raw(name);
  if (value === '') return undefined;
  if (/^[\w.\-/#]{1,512}$/.test(value)) return value;
  inputs.problem(
    name,
    value,
    'expected a CloudWatch Logs group name (letters, digits and . _ - / #, up to 512)',
  );
  return undefined;
}
