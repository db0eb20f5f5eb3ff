import {
  buildxBuildArgs,
  driverSupportsGhaCache,
  ghaCacheAvailable,
  ghaCacheScope,
  imageTags,
  loginArgs,
  logoutArgs,
  ociLabels,
  parseBuildArgs,
  parseBuildxDriver,
  parseBuildxMetadataDigest,
  parseImageId,
  parsePushDigest,
  plainBuildArgs,
  pushArgs,
  repositoryUrl,
  type BuildRequest,
} from '../../src/image/dockerCli';
import { ImageInputError } from '../../src/image/reference';

const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const request: BuildRequest = {
  repository: { registry: 'docker.io', path: 'acme/web' },
  tags: [SHA, 'latest'],
  labels: { 'org.opencontainers.image.revision': SHA },
  buildArgs: { PYTHON_IMAGE: 'python:3.12-slim', EMPTY: '' },
  context: 'app',
  dockerfile: 'app/Dockerfile',
};

describe('imageTags', () => {
  it('puts the commit SHA first, then the extra tags, without repeats or blanks', () => {
    expect(imageTags(SHA, ['latest', ' stable ', '', SHA, 'latest'])).toEqual([SHA, 'latest', 'stable']);
  });

  it('names every invalid tag at once', () => {
    expect(() => imageTags(SHA, ['ok', '-bad', 'also bad'])).toThrow(ImageInputError);
    expect(() => imageTags(SHA, ['ok', '-bad', 'also bad'])).toThrow(/"-bad".*"also bad"/);
  });
});

describe('parseBuildArgs', () => {
  it('reads NAME=value lines, keeping "=" inside values and empty values', () => {
    expect(parseBuildArgs(['PYTHON_IMAGE=python:3.12-slim', '', 'QUERY=a=b', 'EMPTY='])).toEqual({
      PYTHON_IMAGE: 'python:3.12-slim',
      QUERY: 'a=b',
      EMPTY: '',
    });
  });

  it('refuses a bare NAME, which docker would fill from the runner environment', () => {
    expect(() => parseBuildArgs(['AWS_SECRET_ACCESS_KEY'])).toThrow(
      /line 1: AWS_SECRET_ACCESS_KEY has no =value/,
    );
  });

  it('refuses names docker would not match with an ARG', () => {
    expect(() => parseBuildArgs(['1X=a', '', 'MY-ARG=b'])).toThrow(/line 1 .*line 3 /);
  });

  it('names the line, never its value, which may be a secret', () => {
    expect(() => parseBuildArgs(['TOKEN=ok', 'bad line with hunter2'])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') as unknown }) as Error,
    );
  });
});

describe('labels', () => {
  it('records source, revision and creation time in OCI form', () => {
    expect(
      ociLabels({
        source: 'https://github.com/acme/web',
        revision: SHA,
        created: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      }),
    ).toEqual({
      'org.opencontainers.image.source': 'https://github.com/acme/web',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
    });
  });

  it('leaves the source out when it is unknown', () => {
    expect(ociLabels({ source: undefined, revision: SHA, created: new Date(0) })).not.toHaveProperty(
      'org.opencontainers.image.source',
    );
  });

  it('takes the repository URL from the runner, GitHub Enterprise included', () => {
    expect(repositoryUrl({ GITHUB_REPOSITORY: 'acme/web' })).toBe('https://github.com/acme/web');
    expect(repositoryUrl({ GITHUB_REPOSITORY: 'acme/web', GITHUB_SERVER_URL: 'https://git.acme.io' })).toBe(
      'https://git.acme.io/acme/web',
    );
    expect(repositoryUrl({})).toBeUndefined();
  });
});

describe('docker command lines', () => {
  it('logs in with the password on stdin, to the CLI default for DockerHub', () => {
    expect(loginArgs('docker.io', 'acme')).toEqual(['login', '--username', 'acme', '--password-stdin']);
    expect(loginArgs('ghcr.io', 'acme')).toEqual([
      'login',
      'ghcr.io',
      '--username',
      'acme',
      '--password-stdin',
    ]);
    expect(logoutArgs('docker.io')).toEqual(['logout']);
    expect(logoutArgs('ghcr.io')).toEqual(['logout', 'ghcr.io']);
  });

  it('builds with the classic builder: every tag, label and build argument, the context last', () => {
    expect(plainBuildArgs(request, '/tmp/x/iid')).toEqual([
      'build',
      '--iidfile',
      '/tmp/x/iid',
      '--file',
      'app/Dockerfile',
      '--tag',
      `docker.io/acme/web:${SHA}`,
      '--tag',
      'docker.io/acme/web:latest',
      '--label',
      `org.opencontainers.image.revision=${SHA}`,
      '--build-arg',
      'PYTHON_IMAGE=python:3.12-slim',
      '--build-arg',
      'EMPTY=',
      'app',
    ]);
  });

  it("leaves --file out for the context's own Dockerfile", () => {
    expect(plainBuildArgs({ ...request, dockerfile: undefined }, 'iid')).not.toContain('--file');
  });

  it('pushes one fully qualified tag at a time', () => {
    expect(pushArgs(request.repository, 'latest')).toEqual(['push', 'docker.io/acme/web:latest']);
  });

  const files = { metadataFile: '/t/metadata.json', iidFile: '/t/iid' };

  it('builds and pushes with buildx in one step, provenance off so the digest is the manifest', () => {
    const args = buildxBuildArgs(request, files, undefined);
    expect(args.slice(0, 8)).toEqual([
      'buildx',
      'build',
      '--push',
      '--provenance=false',
      '--metadata-file',
      '/t/metadata.json',
      '--iidfile',
      '/t/iid',
    ]);
    expect(args.slice(8)).toEqual(plainBuildArgs(request, 'iid').slice(3));
    expect(args.join(' ')).not.toContain('type=gha');
  });

  it('adds the GitHub Actions cache, whose export may fail without failing the build', () => {
    const args = buildxBuildArgs(request, files, 'docker.io/acme/web');
    expect(args).toEqual(
      expect.arrayContaining([
        '--cache-from',
        'type=gha,scope=docker.io/acme/web',
        '--cache-to',
        'type=gha,mode=max,scope=docker.io/acme/web,ignore-error=true',
      ]),
    );
    expect(args.at(-1)).toBe('app');
  });
});

describe('GitHub Actions cache', () => {
  it('is there when the runner hands out the runtime token and a cache service URL', () => {
    expect(ghaCacheAvailable({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_CACHE_URL: 'https://c/' })).toBe(true);
    expect(ghaCacheAvailable({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://r/' })).toBe(true);
    expect(ghaCacheAvailable({ ACTIONS_RUNTIME_TOKEN: 't' })).toBe(false);
    expect(ghaCacheAvailable({ ACTIONS_CACHE_URL: 'https://c/' })).toBe(false);
    expect(ghaCacheAvailable({ ACTIONS_RUNTIME_TOKEN: '', ACTIONS_CACHE_URL: 'https://c/' })).toBe(false);
  });

  it('needs a builder driver that can export cache', () => {
    const inspect = 'Name:          builder\nDriver:        docker-container\nLast Activity: 2026-01-01\n';
    expect(parseBuildxDriver(inspect)).toBe('docker-container');
    expect(driverSupportsGhaCache('docker-container')).toBe(true);
    expect(driverSupportsGhaCache(parseBuildxDriver('Name: default\nDriver: docker\n'))).toBe(false);
    expect(driverSupportsGhaCache(parseBuildxDriver('no driver line'))).toBe(false);
  });

  it('keeps one cache per repository', () => {
    expect(ghaCacheScope({ registry: 'ghcr.io', path: 'acme/api' })).toBe('ghcr.io/acme/api');
  });
});

describe('reading the pushed digest back', () => {
  const pushOutput = [
    'The push refers to repository [docker.io/acme/web]',
    '5f70bf18a086: Pushed',
    `latest: digest: ${DIGEST} size: 1573`,
    '',
  ].join('\n');

  it("takes the digest from docker push's closing line for that tag", () => {
    expect(parsePushDigest(pushOutput, 'latest')).toBe(DIGEST);
  });

  it('finds nothing for another tag, a truncated digest or no closing line', () => {
    expect(parsePushDigest(pushOutput, SHA)).toBeUndefined();
    expect(parsePushDigest('latest: digest: sha256:abc size: 1', 'latest')).toBeUndefined();
    expect(parsePushDigest('5f70bf18a086: Pushed\n', 'latest')).toBeUndefined();
  });

  it("takes buildx's containerimage.digest", () => {
    const metadata = JSON.stringify({
      'containerimage.config.digest': `sha256:${'f'.repeat(64)}`,
      'containerimage.digest': DIGEST,
      'image.name': 'docker.io/acme/web:latest',
    });
    expect(parseBuildxMetadataDigest(metadata)).toBe(DIGEST);
  });

  it.each([
    ['no digest (nothing was pushed)', '{"buildx.build.ref":"builder/builder0/abc"}'],
    ['a malformed digest', '{"containerimage.digest":"sha256:short"}'],
    ['not JSON', 'sha256:...'],
    ['JSON that is not an object', 'null'],
  ])('reports no digest for metadata with %s', (_, metadata) => {
    expect(parseBuildxMetadataDigest(metadata)).toBeUndefined();
  });

  it('reads the image ID as docker (prefixed) and podman (bare) write it', () => {
    expect(parseImageId(`${DIGEST}\n`)).toBe(DIGEST);
    expect(parseImageId(DIGEST.slice('sha256:'.length))).toBe(DIGEST);
    expect(parseImageId('')).toBeUndefined();
  });
});
