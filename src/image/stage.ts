/**
 * The image stage: build and push a new image, or pin an existing one, and hand back the exact
 * `repository@sha256:...` to deploy. The digest always comes from what docker reported after the
 * push, confirmed by the registry's own answer; it is never guessed.
 */
import { registryTrustHint, saysUntrustedCertificate } from './trust';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployError, errorMessage } from '../errors';
import type { CommandOptions, CommandResult, CommandRunner } from '../exec';
import type { Logger } from '../log';
import type { Clock } from '../clock';
import {
  buildxBuildArgs,
  buildxLoadArgs,
  driverSupportsGhaCache,
  ghaCacheAvailable,
  ghaCacheScope,
  loginArgs,
  logoutArgs,
  parseBuildxDriver,
  parseBuildxMetadataDigest,
  parseImageId,
  parsePushDigest,
  plainBuildArgs,
  pushArgs,
  type BuildRequest,
} from './dockerCli';
import {
  DOCKER_HUB,
  digestReference,
  repositoryName,
  taggedReference,
  type ImageReference,
  type ImageRepository,
} from './reference';
import { RegistryClient, type RegistryCredentials } from './registry';
import { buildRequest } from './request';
import { hasStoredLogin } from './dockerConfig';

export interface ImageDependencies {
  run: CommandRunner;
  log: Logger;
  fetch: typeof fetch;
  clock: Clock;
  /** The runner's variables: RUNNER_TEMP, GITHUB_REPOSITORY, and the cache service's URL and token. */
  env: NodeJS.ProcessEnv;
  /** Keeps a value out of the job log from now on (`core.setSecret` on a runner). */
  maskSecret: (value: string) => void;
  /** The commit's committer time in epoch seconds; defaults to asking git. Undefined when unknown. */
  readCommitTime?: (revision: string, directory: string) => Promise<number | undefined>;
  /** How to reach the registry API: https, unless a test talks to a plain-HTTP registry on loopback. */
  registryScheme?: 'https' | 'http';
}

/** Everything a build needs, without pushing: the preflight command builds only this. */
export interface LocalBuildSettings {
  repository: ImageRepository;
  context: string;
  dockerfile: string | undefined;
  /** The commit being built: the first tag and the revision label. */
  revision: string;
  extraTags: string[];
  buildArgs: Record<string, string>;
}

export interface BuildSettings extends LocalBuildSettings {
  credentials: RegistryCredentials;
}

export interface ResolveSettings {
  image: ImageReference;
  /** Needed for private repositories only. */
  credentials: RegistryCredentials | undefined;
}

export interface ImageResult {
  /** Fully qualified: `docker.io/acme/web`. */
  repository: string;
  /** Tags known to point at `digest`: the ones pushed, or the one resolved. */
  tags: string[];
  digest: string;
  /** What to deploy: `repository@digest`. */
  reference: string;
  /** The local image ID (config digest) when built here; never what a host pulls. */
  imageId: string | undefined;
  built: boolean;
  /**
   * The commit the image was built from, which its health answer must report: the build's commit,
   * or for an existing image the commit-SHA tag it was named by (the tags this action pushes).
   * Undefined for an image named by digest alone.
   */
  revision: string | undefined;
}

const COMMIT_TAG = /^[0-9a-f]{40}$/;

/**
 * The commit an existing image was built from: its revision label, else the commit-SHA tag it was
 * named by. A registry that cannot describe the image only costs the check, not the deploy.
 */
async function existingRevision(
  dependencies: ImageDependencies,
  client: RegistryClient,
  image: ImageReference,
  digest: string,
): Promise<string | undefined> {
  const fromTag = image.tag !== undefined && COMMIT_TAG.test(image.tag) ? image.tag : undefined;
  let labelled: string | undefined;
  try {
    labelled = await client.imageRevision(image, digest);
  } catch (error) {
    dependencies.log.warning(`Could not read the image's revision label: ${errorMessage(error)}`);
  }
  const revision = labelled ?? fromTag;
  dependencies.log.info(
    revision
      ? `The image was built from commit ${revision} (${labelled ? 'its org.opencontainers.image.revision label' : 'its tag'}): the smoke check expects it.`
      : 'The image names no commit (no revision label, no commit-SHA tag): the smoke check only requires every answer to agree on one.',
  );
  return revision;
}

/** Runs docker, turning "docker is not installed" into an explained failure. */
async function docker(
  dependencies: ImageDependencies,
  args: string[],
  options?: CommandOptions,
): Promise<CommandResult> {
  try {
    return await dependencies.run('docker', args, options);
  } catch (error) {
    throw new DeployError(
      'docker-unavailable',
      `Could not run docker: ${errorMessage(error)}.`,
      'Run the job on a runner with Docker (GitHub-hosted ubuntu runners have it), or pass an existing image to deploy without building.',
    );
  }
}

/** Why a registry can disagree with a push that just succeeded, and how to prevent it. */
const CONCURRENT_PUSH_ADVICE =
  'Another push to the same tags raced this one: run deploys of one repository one at a time (a workflow concurrency group) and re-run.';

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

async function login(
  dependencies: ImageDependencies,
  registry: string,
  credentials: RegistryCredentials,
): Promise<void> {
  // Silent: the CLI's own success text warns about where it stores credentials, which is noise here.
  const result = await docker(dependencies, loginArgs(registry, credentials.username), {
    input: credentials.password,
    silent: true,
  });
  if (result.exitCode !== 0) {
    throw new DeployError(
      'registry-login-failed',
      `docker login to ${registry} as ${credentials.username} failed: ${lastLine(result.stderr) || `exit code ${result.exitCode}`}`,
      saysUntrustedCertificate(result.stderr)
        ? registryTrustHint(registry)
        : registry === DOCKER_HUB
          ? 'Check dockerhub-username and dockerhub-token: use a DockerHub access token with Read & Write permission, stored as a repository secret.'
          : `Check the username and token for ${registry}, and that the token may push to the repository.`,
    );
  }
  dependencies.log.info(`Logged in to ${registry} as ${credentials.username} (token through stdin).`);
}

/** Forgets the credentials again, so a self-hosted runner does not keep them in ~/.docker. */
async function logout(dependencies: ImageDependencies, registry: string): Promise<void> {
  const result = await docker(dependencies, logoutArgs(registry), { silent: true });
  if (result.exitCode !== 0) {
    dependencies.log.warning(`docker logout from ${registry} failed: ${lastLine(result.stderr)}`);
  }
}

async function hasBuildx(dependencies: ImageDependencies): Promise<boolean> {
  const result = await docker(dependencies, ['buildx', 'version'], { silent: true });
  return result.exitCode === 0;
}

/** The cache scope to use, or undefined when this runner or builder cannot use GitHub's cache. */
async function chooseGhaCache(dependencies: ImageDependencies, repository: ImageRepository) {
  const { env, log } = dependencies;
  if (!ghaCacheAvailable(env)) {
    log.info('Build cache: off (no GitHub Actions cache service on this runner).');
    return undefined;
  }
  const inspect = await docker(dependencies, ['buildx', 'inspect'], { silent: true });
  const driver = parseBuildxDriver(inspect.stdout);
  if (!driverSupportsGhaCache(driver)) {
    log.info(
      `Build cache: off (the buildx builder's driver is ${driver ?? 'unknown'}, which cannot export to the GitHub Actions cache; run docker/setup-buildx-action before this step to turn it on).`,
    );
    return undefined;
  }
  const scope = ghaCacheScope(repository);
  log.info(`Build cache: GitHub Actions cache, scope ${scope}.`);
  return scope;
}

function registryClient(
  dependencies: ImageDependencies,
  credentials: RegistryCredentials | undefined,
): RegistryClient {
  const { fetch, clock, registryScheme } = dependencies;
  return new RegistryClient({ fetch, clock, credentials, scheme: registryScheme });
}

async function readOptional(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

function buildFailed(request: BuildRequest, result: CommandResult): DeployError {
  return new DeployError(
    'image-build-failed',
    `docker build of ${repositoryName(request.repository)} failed (exit code ${result.exitCode}): ${lastLine(result.stderr)}`,
    'The build output above shows the failing Dockerfile step; reproduce it locally with `docker build` on the same context.',
  );
}

function pushFailed(registry: string, reference: string, result: CommandResult): DeployError {
  return new DeployError(
    'image-push-failed',
    `docker push ${reference} failed: ${lastLine(result.stderr) || `exit code ${result.exitCode}`}`,
    saysUntrustedCertificate(result.stderr)
      ? registryTrustHint(registry)
      : 'Check that the token may push (Read & Write) and that the repository exists, or that your account may create it.',
  );
}

function digestNotReported(what: string): DeployError {
  return new DeployError(
    'image-digest-missing',
    `${what}, so the image cannot be deployed by digest; nothing is deployed by a guessed digest.`,
    'Look at the push output above; re-run the job, and if it persists, report it with the docker version in use.',
  );
}

interface PushedImage {
  digest: string;
  imageId: string | undefined;
}

/**
 * Runs on the built image before any tag is pushed (the preflight); given the image's local name.
 * A throw stops the build there: nothing is pushed.
 */
export type BeforePush = (localImage: string) => Promise<void>;

/**
 * buildx: build and push in one step; the registry digest comes from the metadata file. With a
 * check before the push, the image is first built into the local image store (--load) and checked;
 * the pushing build then reuses every layer of that one.
 */
async function buildxBuildAndPush(
  dependencies: ImageDependencies,
  request: BuildRequest,
  workDir: string,
  beforePush: BeforePush | undefined,
): Promise<PushedImage> {
  const files = { metadataFile: join(workDir, 'metadata.json'), iidFile: join(workDir, 'iid') };
  const cacheScope = await chooseGhaCache(dependencies, request.repository);
  const runnerCache = { runnerCache: cacheScope !== undefined };
  if (beforePush) {
    const load = await docker(dependencies, buildxLoadArgs(request, cacheScope), runnerCache);
    if (load.exitCode !== 0) throw buildFailed(request, load);
    await beforePush(taggedReference(request.repository, request.tags[0] ?? ''));
  }
  const result = await docker(dependencies, buildxBuildArgs(request, files, cacheScope), runnerCache);
  if (result.exitCode !== 0) throw buildFailed(request, result);
  const metadata = await readOptional(files.metadataFile);
  const digest = parseBuildxMetadataDigest(metadata);
  if (!digest) {
    throw digestNotReported(
      `buildx pushed ${repositoryName(request.repository)} but its metadata file has no containerimage.digest (${metadata === '' ? 'file empty or missing' : 'content: ' + metadata.slice(0, 200)})`,
    );
  }
  return { digest, imageId: parseImageId(await readOptional(files.iidFile)) };
}

/** The classic builder: build once, push every tag, and take the digest each push reported. */
async function plainBuildAndPush(
  dependencies: ImageDependencies,
  request: BuildRequest,
  workDir: string,
  beforePush: BeforePush | undefined,
): Promise<PushedImage> {
  const iidFile = join(workDir, 'iid');
  dependencies.log.info('buildx is not available: using docker build, then docker push.');
  const build = await docker(dependencies, plainBuildArgs(request, iidFile));
  if (build.exitCode !== 0) throw buildFailed(request, build);
  await beforePush?.(taggedReference(request.repository, request.tags[0] ?? ''));
  const digests = new Set<string>();
  for (const tag of request.tags) {
    const reference = taggedReference(request.repository, tag);
    const push = await docker(dependencies, pushArgs(request.repository, tag));
    if (push.exitCode !== 0) throw pushFailed(request.repository.registry, reference, push);
    const digest = parsePushDigest(push.stdout, tag);
    if (!digest) {
      throw digestNotReported(`docker push ${reference} succeeded but printed no "${tag}: digest: ..." line`);
    }
    digests.add(digest);
  }
  const [digest, ...others] = [...digests];
  if (!digest || others.length > 0) {
    throw new DeployError(
      'image-digest-mismatch',
      `The tags of one build were pushed with different digests: ${[...digests].join(', ')}.`,
      CONCURRENT_PUSH_ADVICE,
    );
  }
  return { digest, imageId: parseImageId(await readOptional(iidFile)) };
}

/** Every pushed tag must now name, in the registry itself, the digest docker reported. */
async function confirmWithRegistry(
  registry: RegistryClient,
  request: BuildRequest,
  digest: string,
): Promise<void> {
  for (const tag of request.tags) {
    const answered = await registry.manifestDigest(request.repository, tag);
    if (answered !== digest) {
      throw new DeployError(
        'image-digest-mismatch',
        `docker reported ${digest} for ${taggedReference(request.repository, tag)}, but the registry ${answered === undefined ? 'has no such tag' : `serves ${answered}`}.`,
        CONCURRENT_PUSH_ADVICE,
      );
    }
  }
}

/**
 * Builds into the local image store only: nothing is logged in to or pushed. The preflight
 * command's image; returns its local name.
 */
export async function buildLocally(
  dependencies: ImageDependencies,
  settings: LocalBuildSettings,
): Promise<string> {
  const request = await buildRequest(dependencies, settings);
  const reference = taggedReference(request.repository, request.tags[0] ?? settings.revision);
  return dependencies.log.group(`Image: build ${reference} locally (not pushed)`, async () => {
    const workDir = await mkdtemp(join(dependencies.env.RUNNER_TEMP || tmpdir(), 'ha-django-deploy-image-'));
    try {
      const args = (await hasBuildx(dependencies))
        ? buildxLoadArgs(request, undefined)
        : plainBuildArgs(request, join(workDir, 'iid'));
      const result = await docker(dependencies, args);
      if (result.exitCode !== 0) throw buildFailed(request, result);
      return reference;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
}

/**
 * Runs `body` logged in to the registry (when there are credentials), and logs out after it: how a
 * check runs an existing private image, which docker has to pull first.
 */
export async function withRegistryLogin<T>(
  dependencies: ImageDependencies,
  image: ImageRepository,
  credentials: RegistryCredentials | undefined,
  body: () => Promise<T>,
): Promise<T> {
  if (!credentials) return body();
  dependencies.maskSecret(credentials.password);
  // A login the job already holds for this registry is used as it is, and left in place.
  if (hasStoredLogin(dependencies.env, image.registry)) return body();
  await login(dependencies, image.registry, credentials);
  try {
    return await body();
  } finally {
    await logout(dependencies, image.registry);
  }
}

/** Builds the image, pushes every tag, and returns the digest the registry confirmed. */
export async function buildAndPush(
  dependencies: ImageDependencies,
  settings: BuildSettings,
  beforePush?: BeforePush,
): Promise<ImageResult> {
  const { log, env } = dependencies;
  // First, before any command could echo it.
  dependencies.maskSecret(settings.credentials.password);
  const request = await buildRequest(dependencies, settings);
  const name = repositoryName(request.repository);
  return log.group(`Image: build and push ${name}`, async () => {
    await login(dependencies, request.repository.registry, settings.credentials);
    const workDir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'ha-django-deploy-image-'));
    try {
      const pushed = (await hasBuildx(dependencies))
        ? await buildxBuildAndPush(dependencies, request, workDir, beforePush)
        : await plainBuildAndPush(dependencies, request, workDir, beforePush);
      await confirmWithRegistry(registryClient(dependencies, settings.credentials), request, pushed.digest);
      const reference = digestReference(request.repository, pushed.digest);
      log.info(`Pushed ${reference} (tags ${request.tags.join(', ')}); the registry confirms the digest.`);
      return {
        repository: name,
        tags: request.tags,
        digest: pushed.digest,
        reference,
        imageId: pushed.imageId,
        built: true,
        revision: settings.revision,
      };
    } finally {
      await rm(workDir, { recursive: true, force: true });
      await logout(dependencies, request.repository.registry);
    }
  });
}

/**
 * Pins an existing image for a redeploy or rollback: a tag is resolved to the digest it names in
 * the registry right now; a digest is checked to exist. Nothing is built or pushed.
 */
export async function resolveImage(
  dependencies: ImageDependencies,
  settings: ResolveSettings,
): Promise<ImageResult> {
  const { image, credentials } = settings;
  if (credentials) dependencies.maskSecret(credentials.password);
  const name = repositoryName(image);
  const lookup = image.digest ?? image.tag;
  if (lookup === undefined) {
    throw new DeployError(
      'invalid-input',
      `The image ${name} names neither a tag nor a digest.`,
      'Give the image as repo:tag or repo@sha256:...',
    );
  }
  return dependencies.log.group(
    `Image: resolve ${name}${image.digest ? `@${image.digest}` : `:${lookup}`}`,
    async () => {
      const client = registryClient(dependencies, credentials);
      const digest = await client.manifestDigest(image, lookup);
      if (digest === undefined) {
        throw new DeployError(
          'image-not-found',
          `The registry ${image.registry} has no ${image.digest ? 'image with digest' : 'tag'} ${lookup} in ${name}.`,
          image.digest
            ? 'Check the digest: copy it from the image output of the deploy you want to return to.'
            : 'Check the tag: the commit-SHA tags this action pushes are full 40-character SHAs.',
        );
      }
      if (image.digest !== undefined && digest !== image.digest) {
        throw new DeployError(
          'image-digest-mismatch',
          `Asked for ${name}@${image.digest}, the registry answered with ${digest}.`,
          'The registry misbehaved; re-run the job, and report it to the registry if it persists.',
        );
      }
      if (image.digest && image.tag) {
        dependencies.log.info(`The tag ${image.tag} is ignored: the digest pins the image.`);
      }
      const reference = digestReference(image, digest);
      dependencies.log.info(`Deploying the existing image ${reference}; nothing is built.`);
      const revision = await existingRevision(dependencies, client, image, digest);
      return {
        repository: name,
        tags: image.digest ? [] : [lookup],
        digest,
        reference,
        imageId: undefined,
        built: false,
        revision,
      };
    },
  );
}
