/**
 * Asks a registry which digest a tag (or digest) names, through the Distribution API: a HEAD on
 * `/v2/<name>/manifests/<reference>`, whose `Docker-Content-Digest` header is the registry's own
 * answer. Handles both ways registries ask for credentials: a bearer-token challenge (DockerHub,
 * GHCR, ...) and plain basic auth (a self-hosted `registry:2`).
 */
import { isUntrustedCertificateError, registryTrustHint } from './trust';
import { describeCut, readBoundedBody, type BodyLimits } from '../boundedBody';
import { DeployError, errorMessage } from '../errors';
import type { Clock } from '../clock';
import { isDigest, registryApiHost, repositoryName, type ImageRepository } from './reference';

export interface RegistryCredentials {
  username: string;
  /** A password or access token; only ever sent in an Authorization header over HTTPS. */
  password: string;
}

export interface RegistryClientOptions {
  fetch: typeof fetch;
  clock: Clock;
  credentials: RegistryCredentials | undefined;
  /** https always, except for a plain-HTTP registry on this machine (tests). */
  scheme?: 'https' | 'http';
}

interface ImageManifest {
  config?: { digest?: string };
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string } }[];
}

interface ImageConfig {
  config?: { Labels?: Record<string, unknown> | null };
}

export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Every manifest type a deployable image can have, so the registry answers with the digest of
 * what is stored instead of converting (or refusing) it: Docker v2 and OCI, single or multi-arch.
 */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const MAX_ATTEMPTS = 3;
const RETRY_BASE_DELAY_MS = 1000;
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * Manifests, config blobs and token answers are JSON of a few KiB; the OCI distribution spec lets
 * registries refuse manifests over 4 MiB. Nothing larger, or slower, is read into memory.
 */
const ODD_ANSWER_HELP =
  'Re-run the job; if it persists, check the registry address names a real registry and its status page.';

export const REGISTRY_JSON_LIMITS: BodyLimits = { maxBytes: 4 * 1024 * 1024, timeoutMs: REQUEST_TIMEOUT_MS };

/**
 * The first challenge of a `WWW-Authenticate` header: `Bearer realm="...",service="...",scope="..."`.
 * Parameters are read one after another and reading stops where a second challenge would begin.
 */
export function parseAuthChallenge(header: string | null): AuthChallenge | undefined {
  const [, scheme, paramText = ''] = /^\s*([A-Za-z]+)(?:\s+(.*))?$/.exec(header ?? '') ?? [];
  if (scheme === undefined) return undefined;
  const params: Record<string, string> = {};
  const param = /\s*([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/y;
  for (let match = param.exec(paramText); match; match = param.exec(paramText)) {
    const [, name = '', quoted, bare] = match;
    params[name.toLowerCase()] = quoted?.replace(/\\(.)/g, '$1') ?? bare ?? '';
  }
  return { scheme: scheme.toLowerCase(), params };
}

function basicAuthorization({ username, password }: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export class RegistryClient {
  private readonly scheme: 'https' | 'http';
  /** One Authorization per repository, so checking several tags costs one token request. */
  private readonly authorizations = new Map<string, string>();

  constructor(private readonly options: RegistryClientOptions) {
    this.scheme = options.scheme ?? 'https';
  }

  /**
   * The registry's digest for `reference` (a tag or a digest) in `repository`, or undefined when
   * the registry has no such manifest.
   */
  async manifestDigest(repository: ImageRepository, reference: string): Promise<string | undefined> {
    const name = repositoryName(repository);
    const url = `${this.scheme}://${registryApiHost(repository.registry)}/v2/${repository.path}/manifests/${reference}`;
    let response = await this.send(url, 'HEAD', this.authorizations.get(name), repository);
    if (response.status === 401) {
      const authorization = await this.authorize(response.headers.get('www-authenticate'), repository);
      this.authorizations.set(name, authorization);
      response = await this.send(url, 'HEAD', authorization, repository);
    }
    if (response.status === 404) return undefined;
    if (response.status === 401 || response.status === 403) {
      throw this.unauthorized(repository, `answered ${response.status} for ${name}:${reference}`);
    }
    if (!response.ok) {
      throw new DeployError(
        'registry-error',
        `The registry ${repository.registry} answered ${response.status} ${response.statusText} when asked for ${name}:${reference}.`,
        'Check the registry status page and re-run the job.',
      );
    }
    const digest = response.headers.get('docker-content-digest');
    if (digest === null || !isDigest(digest)) {
      throw new DeployError(
        'image-digest-missing',
        `The registry ${repository.registry} found ${name}:${reference} but sent no valid Docker-Content-Digest header (got ${JSON.stringify(digest)}), so the image cannot be pinned by digest.`,
        'Use a registry that implements the Distribution API fully (DockerHub, GHCR, ECR and registry:2 all do).',
      );
    }
    return digest;
  }

  /**
   * The `org.opencontainers.image.revision` label of the image `digest` names (the commit it was
   * built from), read from its config blob; for a multi-platform index, from its linux/amd64
   * image. Undefined when the image carries no such label.
   */
  async imageRevision(repository: ImageRepository, digest: string): Promise<string | undefined> {
    let manifest = (await this.getJson(repository, `manifests/${digest}`)) as ImageManifest;
    if (manifest.manifests) {
      const chosen =
        manifest.manifests.find(
          (entry) => entry.platform?.os === 'linux' && entry.platform.architecture === 'amd64',
        ) ?? manifest.manifests[0];
      if (!chosen?.digest) return undefined;
      manifest = (await this.getJson(repository, `manifests/${chosen.digest}`)) as ImageManifest;
    }
    if (!manifest.config?.digest) return undefined;
    const config = (await this.getJson(repository, `blobs/${manifest.config.digest}`)) as ImageConfig;
    const revision = config.config?.Labels?.['org.opencontainers.image.revision'];
    return typeof revision === 'string' && revision !== '' ? revision : undefined;
  }

  /** GET of a manifest or blob as JSON, answering the registry's credential challenge once. */
  private async getJson(repository: ImageRepository, path: string): Promise<unknown> {
    const name = repositoryName(repository);
    const url = `${this.scheme}://${registryApiHost(repository.registry)}/v2/${repository.path}/${path}`;
    const accept = path.startsWith('manifests/') ? MANIFEST_ACCEPT : 'application/json';
    let response = await this.send(url, 'GET', this.authorizations.get(name), repository, accept);
    if (response.status === 401) {
      await response.body?.cancel();
      const authorization = await this.authorize(response.headers.get('www-authenticate'), repository);
      this.authorizations.set(name, authorization);
      response = await this.send(url, 'GET', authorization, repository, accept);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DeployError(
        'registry-error',
        `The registry ${repository.registry} answered ${response.status} ${response.statusText} for ${name} ${path}.`,
        'Re-run the job; if it persists, check the registry status page.',
      );
    }
    const json = await this.readJson(response, repository, `${name} ${path}`);
    if (json !== null && typeof json === 'object') return json;
    throw new DeployError(
      'registry-error',
      `The registry ${repository.registry} answered ${name} ${path} with something that is not a JSON object.`,
      ODD_ANSWER_HELP,
    );
  }

  /**
   * A JSON answer read within REGISTRY_JSON_LIMITS; undefined for one that is not JSON. A cut
   * answer is refused as what it is, not parsed as broken JSON.
   */
  private async readJson(response: Response, repository: ImageRepository, what: string): Promise<unknown> {
    const body = await readBoundedBody(response, REGISTRY_JSON_LIMITS);
    if (body.cut) {
      throw new DeployError(
        'registry-error',
        `The registry ${repository.registry} answered ${what} with a body ${describeCut(body.cut, REGISTRY_JSON_LIMITS)}; it was not read further.`,
        ODD_ANSWER_HELP,
      );
    }
    try {
      return JSON.parse(body.text) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Answers the registry's 401 challenge with the credentials it asked for. */
  private async authorize(header: string | null, repository: ImageRepository): Promise<string> {
    const challenge = parseAuthChallenge(header);
    const { credentials } = this.options;
    if (challenge?.scheme === 'basic') {
      if (!credentials) throw this.unauthorized(repository, 'asks for a username and password');
      return basicAuthorization(credentials);
    }
    const realm = challenge?.params.realm;
    if (challenge?.scheme !== 'bearer' || !realm) {
      throw new DeployError(
        'registry-error',
        `The registry ${repository.registry} asked for credentials with an unsupported challenge: ${JSON.stringify(header)}.`,
        'Only Basic and Bearer token authentication are supported; use a registry that offers one of them.',
      );
    }
    const tokenUrl = new URL(realm);
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', challenge.params.scope ?? `repository:${repository.path}:pull`);
    if (credentials && tokenUrl.protocol !== 'https:' && this.scheme === 'https') {
      throw new DeployError(
        'registry-error',
        `The registry ${repository.registry} sent its token service as ${tokenUrl.origin}, which is not HTTPS; the credentials were not sent there.`,
        'Check the registry address: a genuine registry served over HTTPS names an HTTPS token service.',
      );
    }
    const response = await this.send(
      tokenUrl.toString(),
      'GET',
      credentials ? basicAuthorization(credentials) : undefined,
      repository,
    );
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.unauthorized(
        repository,
        `refused the credentials at its token service (${response.status})`,
      );
    }
    const body = (await this.readJson(response, repository, `its token request`)) as
      { token?: unknown; access_token?: unknown } | undefined;
    const token = body?.token ?? body?.access_token;
    if (!response.ok || typeof token !== 'string' || token === '') {
      throw new DeployError(
        'registry-error',
        `The token service of ${repository.registry} (${tokenUrl.origin}) answered ${response.status} without a token.`,
        'Re-run the job; if it persists, check the registry status page.',
      );
    }
    return `Bearer ${token}`;
  }

  private unauthorized(repository: ImageRepository, detail: string): DeployError {
    const name = repositoryName(repository);
    return new DeployError(
      'registry-unauthorized',
      `The registry ${repository.registry} ${detail}: ${name} does not exist, or the credentials cannot read it.`,
      this.options.credentials
        ? `Check the repository name and that the token belongs to ${this.options.credentials.username} and can read ${name}.`
        : `Check the repository name; for a private repository, give dockerhub-username and dockerhub-token.`,
    );
  }

  /**
   * One request, retried on what is usually momentary (no connection, 429, 5xx); after the last
   * attempt an answered request is returned for the caller to explain, an unanswered one throws.
   */
  private async send(
    url: string,
    method: 'HEAD' | 'GET',
    authorization: string | undefined,
    repository: ImageRepository,
    accept = method === 'HEAD' ? MANIFEST_ACCEPT : 'application/json',
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    if (authorization) headers.Authorization = authorization;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.options.fetch(url, {
          method,
          headers,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        if (attempt < MAX_ATTEMPTS) {
          await this.options.clock.sleep(RETRY_BASE_DELAY_MS * attempt);
          continue;
        }
        throw new DeployError(
          'registry-unreachable',
          `The registry ${repository.registry} could not be reached at ${new URL(url).origin} after ${MAX_ATTEMPTS} attempts: ${describeFetchError(error)}.`,
          isUntrustedCertificateError(error)
            ? registryTrustHint(repository.registry)
            : 'Check the registry host name in the image reference and that the runner can reach it.',
        );
      }
      if ((response.status === 429 || response.status >= 500) && attempt < MAX_ATTEMPTS) {
        await response.body?.cancel();
        await this.options.clock.sleep(RETRY_BASE_DELAY_MS * attempt);
        continue;
      }
      return response;
    }
  }
}

/** fetch reports every network failure as "fetch failed"; the reason is in its cause. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause === undefined ? errorMessage(error) : `${errorMessage(error)} (${errorMessage(cause)})`;
}
