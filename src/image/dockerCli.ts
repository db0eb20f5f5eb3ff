/**
 * What the image stage tells the docker CLI and reads back from it, pure: tags, labels, the docker
 * command lines, and the pushed digest out of what docker reported. Nothing here runs a command;
 * stage.ts does.
 */
import {
  ImageInputError,
  isDigest,
  loginServer,
  repositoryName,
  taggedReference,
  validateTag,
  type ImageRepository,
} from './reference';

/** Everything that decides what gets built and how it is named. */
export interface BuildRequest {
  repository: ImageRepository;
  /** Tag names only (no repository); the first one is the commit SHA. */
  tags: string[];
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  context: string;
  /** Undefined means Docker's default, `<context>/Dockerfile`. */
  dockerfile: string | undefined;
}

/** Files buildx writes its results to; read back after the build. */
export interface BuildxResultFiles {
  metadataFile: string;
  iidFile: string;
}

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The drivers whose builders can export cache to the GitHub Actions cache service. */
const GHA_CACHE_DRIVERS = new Set(['docker-container', 'kubernetes', 'remote']);

/**
 * The commit SHA first (every image can be traced to its commit), then the extra tags, each
 * checked against Docker's tag grammar; repeats are dropped. Lists every invalid tag at once.
 */
export function imageTags(revision: string, extraTags: readonly string[]): string[] {
  const tags = [revision, ...extraTags.map((tag) => tag.trim()).filter((tag) => tag !== '')];
  const problems: string[] = [];
  for (const tag of tags) {
    try {
      validateTag(tag);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ImageInputError(problems.join(' '));
  return [...new Set(tags)];
}

/**
 * `NAME=value` lines into build arguments. A bare `NAME` is refused: Docker would fill it from
 * the runner's environment, which can hold secrets that would then stay in the image history.
 * Errors give the line number (and the name when it is well formed), never the line: its value may
 * be a secret.
 */
export function parseBuildArgs(lines: readonly string[]): Record<string, string> {
  const buildArgs: Record<string, string> = {};
  const problems: string[] = [];
  lines.forEach((entry, index) => {
    const line = entry.trim();
    if (line === '') return;
    const equals = line.indexOf('=');
    const name = equals === -1 ? line : line.slice(0, equals);
    if (!BUILD_ARG_NAME.test(name)) {
      problems.push(
        `line ${index + 1} does not start with a NAME (letters, digits and "_") followed by =value.`,
      );
    } else if (equals === -1) {
      problems.push(
        `line ${index + 1}: ${name} has no =value (a bare name would be filled from the runner's environment).`,
      );
    } else {
      buildArgs[name] = line.slice(equals + 1);
    }
  });
  if (problems.length > 0) throw new ImageInputError(`Invalid build-args: ${problems.join(' ')}`);
  return buildArgs;
}

export interface LabelSource {
  /** The repository's web URL; undefined outside GitHub, and then the label is left out. */
  source: string | undefined;
  revision: string;
  created: Date;
}

/** OCI annotations that tie an image to the code and the moment it was built from. */
export function ociLabels({ source, revision, created }: LabelSource): Record<string, string> {
  return {
    ...(source ? { 'org.opencontainers.image.source': source } : {}),
    'org.opencontainers.image.revision': revision,
    'org.opencontainers.image.created': created.toISOString(),
  };
}

/** The repository's URL from the runner's variables, for the source label. */
export function repositoryUrl(env: NodeJS.ProcessEnv): string | undefined {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : undefined;
}

/** `docker login`, password on stdin: it never appears in argv, where `ps` and logs could see it. */
export function loginArgs(registry: string, username: string): string[] {
  const server = loginServer(registry);
  return ['login', ...(server ? [server] : []), '--username', username, '--password-stdin'];
}

export function logoutArgs(registry: string): string[] {
  const server = loginServer(registry);
  return ['logout', ...(server ? [server] : [])];
}

/** Options both builders understand, in the order docker documents them; the context comes last. */
function commonBuildOptions(request: BuildRequest): string[] {
  return [
    ...(request.dockerfile ? ['--file', request.dockerfile] : []),
    ...request.tags.flatMap((tag) => ['--tag', taggedReference(request.repository, tag)]),
    ...Object.entries(request.labels).flatMap(([name, value]) => ['--label', `${name}=${value}`]),
    ...Object.entries(request.buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
  ];
}

/** The classic builder: builds and tags locally; `docker push` follows, once per tag. */
export function plainBuildArgs(request: BuildRequest, iidFile: string): string[] {
  return ['build', '--iidfile', iidFile, ...commonBuildOptions(request), request.context];
}

export function pushArgs(repository: ImageRepository, tag: string): string[] {
  return ['push', taggedReference(repository, tag)];
}

/**
 * buildx builds and pushes in one step and writes the registry digest to the metadata file.
 * Provenance is off explicitly: with it, buildx pushes an image index, and the digest it reports is
 * the index's rather than the image manifest's. `ghaCacheScope` turns on the GitHub Actions cache;
 * buildx takes the cache service's URL and token from the environment, never from argv.
 */
export function buildxBuildArgs(
  request: BuildRequest,
  files: BuildxResultFiles,
  ghaCacheScope: string | undefined,
): string[] {
  const cache = ghaCacheScope
    ? [
        '--cache-from',
        `type=gha,scope=${ghaCacheScope}`,
        // A cache export that hits the service's rate limit must not fail a build that worked.
        '--cache-to',
        `type=gha,mode=max,scope=${ghaCacheScope},ignore-error=true`,
      ]
    : [];
  return [
    'buildx',
    'build',
    '--push',
    '--provenance=false',
    '--metadata-file',
    files.metadataFile,
    '--iidfile',
    files.iidFile,
    ...cache,
    ...commonBuildOptions(request),
    request.context,
  ];
}

/** buildx into the local image store, nothing pushed: the image a check runs before the push. */
export function buildxLoadArgs(request: BuildRequest, ghaCacheScope: string | undefined): string[] {
  const cache = ghaCacheScope ? ['--cache-from', `type=gha,scope=${ghaCacheScope}`] : [];
  return [
    'buildx',
    'build',
    '--load',
    '--provenance=false',
    ...cache,
    ...commonBuildOptions(request),
    request.context,
  ];
}

/** One cache per image repository, so two images built in one workflow do not evict each other. */
export function ghaCacheScope(repository: ImageRepository): string {
  return repositoryName(repository);
}

/** The runner hands JavaScript actions the cache service's URL and token (v1 or v2 service). */
export function ghaCacheAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL));
}

/** The builder's driver from `docker buildx inspect`; undefined when the output names none. */
export function parseBuildxDriver(inspectOutput: string): string | undefined {
  return /^Driver:\s*(\S+)/m.exec(inspectOutput)?.[1];
}

/** The default `docker` driver cannot export cache to GitHub's service; a container builder can. */
export function driverSupportsGhaCache(driver: string | undefined): boolean {
  return driver !== undefined && GHA_CACHE_DRIVERS.has(driver);
}

/**
 * The digest `docker push` reported for `tag`, from its closing line
 * `<tag>: digest: sha256:<hex> size: <bytes>`; undefined when no such line was printed.
 */
export function parsePushDigest(output: string, tag: string): string | undefined {
  for (const match of output.matchAll(/^(\S+): digest: (sha256:[0-9a-f]{64}) size: \d+\s*$/gm)) {
    if (match[1] === tag) return match[2];
  }
  return undefined;
}

/** `containerimage.digest` from buildx's metadata file, if it is there and well formed. */
export function parseBuildxMetadataDigest(metadata: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const digest = (parsed as Record<string, unknown>)['containerimage.digest'];
  return typeof digest === 'string' && isDigest(digest) ? digest : undefined;
}

/**
 * The local image ID (the digest of the image's config, not of its manifest: it is never what a
 * registry serves). Docker writes it with its `sha256:` prefix, podman without.
 */
export function parseImageId(iidFileContent: string): string | undefined {
  const text = iidFileContent.trim();
  const id = text.startsWith('sha256:') ? text : `sha256:${text}`;
  return isDigest(id) ? id : undefined;
}
