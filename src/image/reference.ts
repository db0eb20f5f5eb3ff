/**
 * Image references, following Docker's own grammar (distribution/reference): which part is the
 * registry, DockerHub's defaults, and the tag and digest forms the action accepts.
 */

/** A repository in a registry, normalised: `docker.io` and `library/` filled in for DockerHub. */
export interface ImageRepository {
  /** Host with optional port: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Slash-separated path inside the registry: `library/nginx`, `acme/web`. */
  path: string;
}

export interface ImageReference extends ImageRepository {
  tag: string | undefined;
  /** `sha256:<64 hex>`; when present it, not the tag, says which image is meant. */
  digest: string | undefined;
}

/** A user-given image text the action cannot use; the message says what was expected. */
export class ImageInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageInputError';
  }
}

export const DOCKER_HUB = 'docker.io';
/** DockerHub's older name, which Docker itself rewrites to `docker.io`. */
const DOCKER_HUB_LEGACY = 'index.docker.io';
/** Where DockerHub's registry API answers: the name `docker.io` is not an API host. */
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PATH_COMPONENT_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_PATTERN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
/** Docker's limit on registry + path. */
const MAX_NAME_LENGTH = 255;

const REFERENCE_FORM = '[registry/]namespace/repository[:tag][@sha256:<64 hex>]';

export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/** Throws unless `tag` is a valid Docker tag: 1-128 of letters, digits, `_`, `.`, `-`, not starting with `.` or `-`. */
export function validateTag(tag: string): string {
  if (!TAG_PATTERN.test(tag)) {
    throw new ImageInputError(
      `${JSON.stringify(tag)} is not a valid image tag: up to 128 letters, digits, "_", "." and "-", not starting with "." or "-".`,
    );
  }
  return tag;
}

/**
 * Docker's rule for telling a registry from a namespace: the first component is a registry when
 * it has a dot or a port, is `localhost`, or has capitals (which a namespace never may).
 */
function looksLikeRegistry(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || component !== component.toLowerCase();
}

/** The port, when given, is 1-65535, and the whole host parses as a URL authority. */
function validRegistryPort(registry: string): boolean {
  const port = /:(\d+)$/.exec(registry)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  return URL.canParse(`https://${registry}/`);
}

function splitName(name: string, text: string): ImageRepository {
  const slash = name.indexOf('/');
  let registry = DOCKER_HUB;
  let path = name;
  if (slash !== -1 && looksLikeRegistry(name.slice(0, slash))) {
    registry = name.slice(0, slash);
    path = name.slice(slash + 1);
    if (!DOMAIN_PATTERN.test(registry) || !validRegistryPort(registry)) {
      throw new ImageInputError(
        `${JSON.stringify(text)}: ${JSON.stringify(registry)} is not a valid registry host (host[:port], port 1-65535).`,
      );
    }
    if (registry === DOCKER_HUB_LEGACY) registry = DOCKER_HUB;
  }
  const invalid = path.split('/').filter((component) => !PATH_COMPONENT_PATTERN.test(component));
  if (path === '' || invalid.length > 0) {
    throw new ImageInputError(
      `${JSON.stringify(text)} is not a valid image name: repository path components are lower-case letters and digits, ` +
        `separated by ".", "_", "__" or "-" (expected ${REFERENCE_FORM}).`,
    );
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH) {
    throw new ImageInputError(
      `${JSON.stringify(text)}: the image name is longer than ${MAX_NAME_LENGTH} characters.`,
    );
  }
  return { registry, path };
}

/** Parses `[registry/]namespace/repo[:tag][@sha256:...]`; tag and digest are both optional here. */
export function parseImageReference(text: string): ImageReference {
  const trimmed = text.trim();
  if (trimmed === '') throw new ImageInputError(`The image reference is empty (expected ${REFERENCE_FORM}).`);
  let rest = trimmed;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) {
      throw new ImageInputError(
        `${JSON.stringify(text)}: the digest must be "sha256:" followed by 64 lower-case hex digits.`,
      );
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  // A colon before the last slash is a registry port, not a tag.
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    try {
      validateTag(tag);
    } catch (error) {
      throw new ImageInputError(`${JSON.stringify(text)}: ${(error as Error).message}`);
    }
  }
  return { ...splitName(rest, text), tag, digest };
}

/** The repository to build into: a name only, since the action chooses the tags itself. */
export function parseRepository(text: string): ImageRepository {
  const reference = parseImageReference(text);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new ImageInputError(
      `${JSON.stringify(text)}: give the repository without a tag or digest; the commit SHA is the tag, add others with extra-tags.`,
    );
  }
  return { registry: reference.registry, path: reference.path };
}

/**
 * An existing image to deploy again: it must name a tag or a digest, because an implicit `latest`
 * is exactly the ambiguity a rollback must not have.
 */
export function parseExistingImage(text: string): ImageReference {
  const reference = parseImageReference(text);
  if (reference.tag === undefined && reference.digest === undefined) {
    throw new ImageInputError(
      `${JSON.stringify(text)}: name the image to deploy by tag (repo:tag) or digest (repo@sha256:...); "latest" is never assumed.`,
    );
  }
  return reference;
}

/** True when the image is in exactly this repository (same registry, same path). */
export function isInRepository(image: ImageRepository, repository: ImageRepository): boolean {
  return image.registry === repository.registry && image.path === repository.path;
}

/** `registry/path`, fully qualified, so a host never reinterprets it with its own defaults. */
export function repositoryName(repository: ImageRepository): string {
  return `${repository.registry}/${repository.path}`;
}

export function taggedReference(repository: ImageRepository, tag: string): string {
  return `${repositoryName(repository)}:${tag}`;
}

export function digestReference(repository: ImageRepository, digest: string): string {
  if (!isDigest(digest)) throw new Error(`Not a sha256 digest: ${JSON.stringify(digest)}`);
  return `${repositoryName(repository)}@${digest}`;
}

/** The host that serves the registry's HTTP API (`/v2/...`). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** The server argument for `docker login`; undefined means the CLI's own default, DockerHub. */
export function loginServer(registry: string): string | undefined {
  return registry === DOCKER_HUB ? undefined : registry;
}
