import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether the docker CLI already holds a login for `registry` (an `auths` entry in its config
 * file): a login the job made before this step (docker/login-action, or the instances' own on an
 * emulated host). The action must neither replace nor remove it.
 */
export function hasStoredLogin(env: NodeJS.ProcessEnv, registry: string): boolean {
  const file = join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
  let auths: Record<string, unknown> = {};
  try {
    auths = (JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {};
  } catch {
    return false;
  }
  const host = (key: string) => key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return Object.keys(auths).some((key) => host(key) === registry);
}
