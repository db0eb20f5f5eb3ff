/**
 * Turns the action's inputs into the typed, validated config of the command they ask for. Every
 * input of every area is read whatever the command, so one that does not apply is refused by name.
 */

import { COMMANDS, type Command, type Config } from './commands';
import { parseAws } from './aws';
import { parseGitHub, deployGitHub, planGitHub } from './github';
import { deployImage, parseImage, preflightImage } from './image';
import { ConfigError, InputParser, type ConfigPaths, type InputReader } from './parser';
import { parseRelease } from './release';
import { parseRollout } from './rollout';
import { parseScaleTest } from './scaleTest';
import { parseTerraform } from './terraform';

type Areas = ReturnType<typeof parseAreas>;
type EveryCommand = Pick<Config, 'aws' | 'secrets'>;
type ConfigOf<C extends Command> = Extract<Config, { command: C }>;

function parseAreas(inputs: InputParser, command: Command) {
  return {
    rollout: parseRollout(inputs, command),
    image: parseImage(inputs, command),
    terraform: parseTerraform(inputs, command, inputs.paths),
    github: parseGitHub(inputs, command),
    scaleTest: parseScaleTest(inputs),
    release: parseRelease(inputs),
    preflight: inputs.boolean('preflight'),
  };
}

/**
 * Each command's config from the areas it reads. Undefined only where a problem was recorded (a
 * build without its repository, a comment without its token), which the caller reports.
 */
const CONFIG_OF: { [C in Command]: (areas: Areas, common: EveryCommand) => ConfigOf<C> | undefined } = {
  plan: ({ image: { existing, credentials, instancePull }, terraform, github }, common) => {
    const commenting = planGitHub(github);
    if (!commenting) return undefined;
    return {
      command: 'plan',
      ...common,
      image: { existing, credentials, instancePull },
      terraform,
      github: commenting,
    };
  },
  deploy: ({ image, terraform, github, rollout, release, preflight }, common) => {
    const deploying = deployImage(image);
    const approving = deployGitHub(github);
    if (!deploying || !approving) return undefined;
    return {
      command: 'deploy',
      ...common,
      image: deploying,
      terraform,
      github: approving,
      rollout: rollout.options,
      release,
      preflight,
    };
  },
  rollout: ({ rollout }, common) => ({
    command: 'rollout',
    ...common,
    rollout: { ...rollout.target, ...rollout.options },
  }),
  'scale-test': ({ rollout, scaleTest, terraform }, common) => ({
    command: 'scale-test',
    ...common,
    scaleTest,
    group:
      rollout.target.asgName === ''
        ? undefined
        : { asgName: rollout.target.asgName, targetGroupArns: rollout.target.targetGroupArns },
    terraform,
    pollIntervalSeconds: rollout.options.pollIntervalSeconds,
    appLogGroup: rollout.options.appLogGroup,
  }),
  preflight: ({ image, rollout }, common) => {
    const checking = preflightImage(image);
    if (!checking) return undefined;
    const paths = { healthPath: rollout.options.smokePath, pagePath: rollout.options.smokeAppPath };
    return { command: 'preflight', ...common, image: checking, paths };
  },
};

function buildConfig<C extends Command>(
  command: C,
  areas: Areas,
  common: EveryCommand,
): ConfigOf<C> | undefined {
  return CONFIG_OF[command](areas, common);
}

/**
 * Parses and validates every input; throws ConfigError listing all problems. Pure: no I/O, so it
 * runs before anything is built, planned or changed.
 */
export function parseConfig(
  read: InputReader,
  env: NodeJS.ProcessEnv = {},
  paths: ConfigPaths = { workspace: env.GITHUB_WORKSPACE ?? '.', bundledTerraform: 'terraform' },
): Config {
  const inputs = new InputParser(read, env, paths);
  const command = inputs.oneOf('command', COMMANDS);
  const aws = parseAws(inputs);
  // Which other inputs apply depends on the command: guessing one would only add noise.
  if (!inputs.isValid('command')) throw new ConfigError(inputs.problems);
  const areas = parseAreas(inputs, command);
  const secrets = [
    inputs.raw('dockerhub-token'),
    inputs.raw('github-token'),
    inputs.raw('pull-token'),
    ...inputs.sensitiveValues,
  ].filter((secret) => secret !== '');
  const config = buildConfig(command, areas, { aws, secrets });
  if (inputs.problems.length > 0 || !config) throw new ConfigError(inputs.problems);
  return config;
}
