import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';

const RUNTIME_SCRIPT = join(__dirname, 'container-runtime/runtime.sh');
const VARIABLES = [
  'DOCKER_HOST',
  'TEST_REGISTRY',
  'TEST_REGISTRY_USER',
  'TEST_REGISTRY_PASSWORD',
  'TEST_REGISTRY_CA',
  'TEST_BASE_IMAGE',
] as const;

export interface ContainerRuntime {
  dockerHost: string;
  /** host:port of the authenticated local registry (TLS, self-signed). */
  registry: string;
  username: string;
  password: string;
  caFile: string;
  baseImage: string;
}

/**
 * Brings up the podman Docker-API service and the local registry (idempotent, fast when already
 * up) and returns the settings `runtime.sh env` prints. Any failure throws: a suite that needs real
 * Docker must fail, not skip, when it is missing.
 */
export async function startContainerRuntime(): Promise<ContainerRuntime> {
  try {
    await promisify(execFile)('bash', [RUNTIME_SCRIPT, 'up'], { timeout: 600_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `${RUNTIME_SCRIPT} up failed (it needs root and scripts/setup.sh's apt packages):\n${stderr}`,
    );
  }
  // bash itself undoes the %q quoting of `runtime.sh env`.
  const { stdout } = await promisify(execFile)('bash', [
    '-c',
    `eval "$(bash "$0" env)" && printf '%s\\0' ${VARIABLES.map((name) => `"$${name}"`).join(' ')}`,
    RUNTIME_SCRIPT,
  ]);
  const [dockerHost, registry, username, password, caFile, baseImage] = stdout.split('\0');
  if (!dockerHost || !registry || !username || !password || !caFile || !baseImage) {
    throw new Error(`${RUNTIME_SCRIPT} env did not print all of ${VARIABLES.join(', ')}`);
  }
  return { dockerHost, registry, username, password, caFile, baseImage };
}

/**
 * Node's fetch, trusting the local registry's self-signed certificate (and nothing else extra),
 * so the action's HTTPS registry client runs unchanged against it.
 */
export function fetchTrusting(caFile: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
  // The undici package and Node's built-in fetch declare the same dispatcher interface in separate
  // type packages, so TypeScript cannot see that they match; at run time Node's fetch accepts it.
  return (input, init) => fetch(input, { ...init, dispatcher } as unknown as RequestInit);
}

/**
 * The registry's own Docker-Content-Digest for name:reference, asked with curl: another client
 * than the one under test, so the check cannot share its mistakes. Credentials go through curl's
 * stdin config, never its argv.
 */
export function registryDigest(
  runtime: ContainerRuntime,
  name: string,
  reference: string,
): string | undefined {
  const curl = spawnSync(
    'curl',
    [
      '--silent',
      '--show-error',
      '--head',
      '--cacert',
      runtime.caFile,
      '--config',
      '-',
      '--header',
      'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      `https://${runtime.registry}/v2/${name}/manifests/${reference}`,
    ],
    { input: `user = "${runtime.username}:${runtime.password}"\n`, encoding: 'utf8' },
  );
  if (curl.status !== 0) throw new Error(`curl failed: ${curl.stderr}`);
  return /^docker-content-digest:\s*(\S+)/im.exec(curl.stdout)?.[1];
}
