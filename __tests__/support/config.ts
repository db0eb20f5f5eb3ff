/**
 * The config is one type per command: a test that parsed the inputs of one command reads that
 * command's config, and fails by name if the inputs parsed as another.
 */
import { parseConfig, type Command, type Config } from '../../src/inputs';
import type { RolloutSettings } from '../../src/rollout';
import { inputsFrom } from './inputs';

export type ConfigOf<C extends Command> = Extract<Config, { command: C }>;

export function configFor<C extends Command>(command: C, config: Config): ConfigOf<C> {
  if (config.command !== command) throw new Error(`expected a ${command} config, parsed ${config.command}`);
  return config as ConfigOf<C>;
}

type Area = 'image' | 'terraform' | 'github';

/** An area several commands share (the image, Terraform, GitHub), from whichever command has it. */
export function areaOf<A extends Area>(config: Config, area: A): Extract<Config, Record<A, unknown>>[A] {
  if (!(area in config)) throw new Error(`a ${config.command} config has no ${area} settings`);
  return (config as Extract<Config, Record<A, unknown>>)[area];
}

/** The settings of a rollout of group `web` in eu-west-1 without a smoke check, plus `values`. */
export function rolloutSettings(values: Record<string, string> = {}): RolloutSettings {
  const inputs = inputsFrom({
    command: 'rollout',
    'aws-region': 'eu-west-1',
    'asg-name': 'web',
    'smoke-check': 'false',
    ...values,
  });
  return configFor('rollout', parseConfig(inputs)).rollout;
}
