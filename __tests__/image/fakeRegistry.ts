import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRegistryOptions {
  /** bearer: DockerHub's way (401 naming a token service); basic: a self-hosted registry:2's. */
  auth: 'bearer' | 'basic';
  username: string;
  password: string;
  /** Whether the token service hands out tokens without credentials (public repositories). */
  anonymousPull?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  accept: string | undefined;
}

/**
 * A registry API on loopback, plain HTTP, answering what the image stage asks: HEAD on
 * /v2/<name>/manifests/<tag or digest>, with DockerHub's bearer-token dance or basic auth. The
 * test decides what it stores and how it misbehaves; every request is recorded.
 */
export async function startFakeRegistry(options: FakeRegistryOptions) {
  const manifests = new Map<string, string>();
  // Bodies by digest: manifests and config blobs, for GETs (the revision label of an image).
  const bodies = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const issuedTokens = new Set<string>();
  const behaviour = { failuresLeft: 0, sendDigestHeader: true };
  const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  let origin = '';

  const challenge = (response: ServerResponse, scope: string): void => {
    response.writeHead(401, {
      'www-authenticate':
        options.auth === 'basic'
          ? 'Basic realm="fake-registry"'
          : `Bearer realm="${origin}/token",service="fake-registry",scope="${scope}"`,
    });
    response.end();
  };

  const issueToken = (request: IncomingMessage, response: ServerResponse): void => {
    const authorization = request.headers.authorization;
    if (authorization ? authorization !== basic : !options.anonymousPull) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const token = randomBytes(8).toString('hex');
    issuedTokens.add(token);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token, expires_in: 300 }));
  };

  const answerManifest = (
    request: IncomingMessage,
    response: ServerResponse,
    name: string,
    reference: string,
  ) => {
    const authorization = request.headers.authorization ?? '';
    const authorized =
      options.auth === 'basic'
        ? authorization === basic
        : authorization.startsWith('Bearer ') && issuedTokens.has(authorization.slice('Bearer '.length));
    if (!authorized) {
      challenge(response, `repository:${name}:pull`);
      return;
    }
    const digest = manifests.get(`${name}:${reference}`);
    if (digest === undefined) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      ...(behaviour.sendDigestHeader ? { 'docker-content-digest': digest } : {}),
    });
    response.end(request.method === 'GET' ? (bodies.get(digest) ?? '{}') : undefined);
  };

  const answerBlob = (request: IncomingMessage, response: ServerResponse, name: string, digest: string) => {
    const authorization = request.headers.authorization ?? '';
    if (!(authorization === basic || issuedTokens.has(authorization.slice('Bearer '.length)))) {
      challenge(response, `repository:${name}:pull`);
      return;
    }
    const body = bodies.get(digest);
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/octet-stream' });
    response.end(body);
  };

  const server = createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
      accept: request.headers.accept,
    });
    if (behaviour.failuresLeft > 0) {
      behaviour.failuresLeft--;
      response.writeHead(503);
      response.end();
      return;
    }
    const url = new URL(request.url ?? '/', origin);
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    const blob = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/token' && request.method === 'GET') {
      issueToken(request, response);
    } else if (manifest && (request.method === 'HEAD' || request.method === 'GET')) {
      answerManifest(request, response, manifest[1]!, manifest[2]!);
    } else if (blob && request.method === 'GET') {
      answerBlob(request, response, blob[1]!, blob[2]!);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    /** host:port, the registry part of an image reference. */
    host: `127.0.0.1:${port}`,
    requests,
    /** Stores an image under a tag, and under its own digest as registries do. */
    store(name: string, tag: string | undefined, digest: string): void {
      if (tag !== undefined) manifests.set(`${name}:${tag}`, digest);
      manifests.set(`${name}:${digest}`, digest);
    },
    /** Stores an image whose config carries `labels`; returns its manifest digest. */
    storeImage(name: string, tag: string | undefined, labels: Record<string, string>): string {
      const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: labels } });
      const configDigest = fakeDigest(config);
      bodies.set(configDigest, config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest },
        layers: [],
      });
      const digest = fakeDigest(manifest);
      bodies.set(digest, manifest);
      if (tag !== undefined) manifests.set(`${name}:${tag}`, digest);
      manifests.set(`${name}:${digest}`, digest);
      return digest;
    },
    /** The next `count` requests, whatever they are, get 503 Service Unavailable. */
    failNext(count: number): void {
      behaviour.failuresLeft = count;
    },
    omitDigestHeader(): void {
      behaviour.sendDigestHeader = false;
    },
    tokenRequests: () => requests.filter((request) => request.url.startsWith('/token')),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

export type FakeRegistry = Awaited<ReturnType<typeof startFakeRegistry>>;

/** A well-formed sha256 digest, different for every `seed`. */
export function fakeDigest(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}
