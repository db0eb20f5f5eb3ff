import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAuthChallenge, RegistryClient, type RegistryCredentials } from '../../src/image/registry';
import { createFakeClock } from '../support/fakeClock';
import { fakeDigest, startFakeRegistry, type FakeRegistry } from './fakeRegistry';
import { rejection } from '../support/rejection';

const CREDENTIALS: RegistryCredentials = { username: 'acme', password: 'dckr_pat_correct-horse' };
const DIGEST = fakeDigest('web v1');

function client(registry: FakeRegistry | undefined, credentials: RegistryCredentials | undefined) {
  const fake = createFakeClock();
  return {
    sleeps: fake.sleeps,
    client: new RegistryClient({ fetch, clock: fake.clock, credentials, scheme: 'http' }),
    repository: { registry: registry?.host ?? '127.0.0.1:9', path: 'acme/web' },
  };
}

describe('parseAuthChallenge', () => {
  it("reads DockerHub's bearer challenge", () => {
    expect(
      parseAuthChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:acme/web:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:acme/web:pull',
      },
    });
  });

  it('reads basic, unquoted and escaped parameters, and stops at a second challenge', () => {
    expect(parseAuthChallenge('Basic realm="registry"')).toEqual({
      scheme: 'basic',
      params: { realm: 'registry' },
    });
    expect(parseAuthChallenge('Bearer realm=https://t/token, error="a\\"b"')?.params).toEqual({
      realm: 'https://t/token',
      error: 'a"b',
    });
    expect(parseAuthChallenge('Bearer realm="a", Basic realm="b"')?.params).toEqual({ realm: 'a' });
  });

  it('returns nothing for a missing header', () => {
    expect(parseAuthChallenge(null)).toBeUndefined();
    expect(parseAuthChallenge('')).toBeUndefined();
  });
});

describe('RegistryClient against a bearer-token registry (the DockerHub way)', () => {
  let registry: FakeRegistry;
  beforeEach(async () => {
    registry = await startFakeRegistry({ auth: 'bearer', ...CREDENTIALS, anonymousPull: true });
    registry.store('acme/web', 'v1', DIGEST);
    registry.store('acme/web', 'latest', DIGEST);
  });
  afterEach(() => registry.close());

  it('gets a token for the scope the challenge names, then reuses it for the next tag', async () => {
    const { client: registryClient, repository } = client(registry, CREDENTIALS);
    await expect(registryClient.manifestDigest(repository, 'v1')).resolves.toBe(DIGEST);
    await expect(registryClient.manifestDigest(repository, 'latest')).resolves.toBe(DIGEST);

    const tokenRequests = registry.tokenRequests();
    expect(tokenRequests).toHaveLength(1);
    const tokenUrl = new URL(tokenRequests[0]!.url, 'http://x');
    expect(tokenUrl.searchParams.get('service')).toBe('fake-registry');
    expect(tokenUrl.searchParams.get('scope')).toBe('repository:acme/web:pull');
    expect(tokenRequests[0]!.authorization).toBe(
      `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`,
    );
    const manifestRequests = registry.requests.filter((request) => request.method === 'HEAD');
    expect(manifestRequests.map((request) => request.authorization?.split(' ')[0])).toEqual([
      undefined,
      'Bearer',
      'Bearer',
    ]);
  });

  it('asks for every manifest type, so a multi-arch index is answered with its own digest', async () => {
    const { client: registryClient, repository } = client(registry, undefined);
    await registryClient.manifestDigest(repository, 'v1');
    const accept = registry.requests.find((request) => request.method === 'HEAD')!.accept!;
    for (const type of [
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.index.v1+json',
    ]) {
      expect(accept).toContain(type);
    }
  });

  it('reads a public repository anonymously', async () => {
    const { client: registryClient, repository } = client(registry, undefined);
    await expect(registryClient.manifestDigest(repository, 'v1')).resolves.toBe(DIGEST);
    expect(registry.tokenRequests()[0]!.authorization).toBeUndefined();
  });

  it('finds a digest by itself, and reports an unknown tag as absent', async () => {
    const { client: registryClient, repository } = client(registry, CREDENTIALS);
    await expect(registryClient.manifestDigest(repository, DIGEST)).resolves.toBe(DIGEST);
    await expect(registryClient.manifestDigest(repository, 'v2')).resolves.toBeUndefined();
  });

  it('explains refused credentials', async () => {
    const { client: registryClient, repository } = client(registry, { username: 'acme', password: 'wrong' });
    const error = await rejection(registryClient.manifestDigest(repository, 'v1'));
    expect(error.reason).toBe('registry-unauthorized');
    expect(error.message).toContain('refused the credentials at its token service (401)');
    expect(error.nextSteps).toContain('the token belongs to acme');
    expect(`${error.message} ${error.nextSteps}`).not.toContain('wrong');
  });

  it('fails clearly when the registry finds the image but sends no digest header', async () => {
    registry.omitDigestHeader();
    const { client: registryClient, repository } = client(registry, CREDENTIALS);
    const error = await rejection(registryClient.manifestDigest(repository, 'v1'));
    expect(error.reason).toBe('image-digest-missing');
    expect(error.message).toContain('no valid Docker-Content-Digest header');
  });

  it('waits out momentary 503s, backing off', async () => {
    registry.failNext(2);
    const { client: registryClient, repository, sleeps } = client(registry, CREDENTIALS);
    await expect(registryClient.manifestDigest(repository, 'v1')).resolves.toBe(DIGEST);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('gives up after three attempts and names the status', async () => {
    registry.failNext(3);
    const { client: registryClient, repository, sleeps } = client(registry, CREDENTIALS);
    const error = await rejection(registryClient.manifestDigest(repository, 'v1'));
    expect(error.reason).toBe('registry-error');
    expect(error.message).toContain('answered 503');
    expect(sleeps).toHaveLength(2);
  });
});

describe('RegistryClient against a basic-auth registry (a self-hosted registry:2)', () => {
  let registry: FakeRegistry;
  beforeEach(async () => {
    registry = await startFakeRegistry({ auth: 'basic', ...CREDENTIALS });
    registry.store('acme/web', 'v1', DIGEST);
  });
  afterEach(() => registry.close());

  it('answers the challenge with the credentials', async () => {
    const { client: registryClient, repository } = client(registry, CREDENTIALS);
    await expect(registryClient.manifestDigest(repository, 'v1')).resolves.toBe(DIGEST);
    expect(registry.tokenRequests()).toHaveLength(0);
  });

  it('says credentials are needed when none were given', async () => {
    const { client: registryClient, repository } = client(registry, undefined);
    const error = await rejection(registryClient.manifestDigest(repository, 'v1'));
    expect(error.reason).toBe('registry-unauthorized');
    expect(error.message).toContain('asks for a username and password');
    expect(error.nextSteps).toContain('dockerhub-username and dockerhub-token');
  });

  it('reports wrong credentials as unauthorized', async () => {
    const { client: registryClient, repository } = client(registry, { username: 'acme', password: 'nope' });
    const error = await rejection(registryClient.manifestDigest(repository, 'v1'));
    expect(error.reason).toBe('registry-unauthorized');
    expect(error.message).toContain('answered 401');
  });
});

describe('RegistryClient failures before any answer', () => {
  it('retries a registry that refuses connections, then says it could not reach it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      closed.close(() => {
        resolve();
      });
    });

    const { client: registryClient, sleeps } = client(undefined, CREDENTIALS);
    const error = await rejection(
      registryClient.manifestDigest({ registry: `127.0.0.1:${port}`, path: 'acme/web' }, 'v1'),
    );
    expect(error.reason).toBe('registry-unreachable');
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).toContain('ECONNREFUSED');
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('never sends credentials to a plain-HTTP token service named by an HTTPS registry', async () => {
    // A stand-in fetch: an HTTPS registry cannot be served here without a certificate, and the
    // point is what the client refuses to send, which no server would get to see.
    const requested: string[] = [];
    const challengeOnly: typeof fetch = (input) => {
      requested.push(input instanceof Request ? input.url : String(input));
      return Promise.resolve(
        new Response(null, {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="http://token.example.com/token",service="x"' },
        }),
      );
    };
    const registryClient = new RegistryClient({
      fetch: challengeOnly,
      clock: createFakeClock().clock,
      credentials: CREDENTIALS,
    });
    const error = await rejection(
      registryClient.manifestDigest({ registry: 'registry.example.com', path: 'a/b' }, 'v1'),
    );
    expect(error.message).toContain('not HTTPS; the credentials were not sent there');
    expect(requested).toEqual(['https://registry.example.com/v2/a/b/manifests/v1']);
  });
});
