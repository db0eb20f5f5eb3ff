import {
  digestReference,
  ImageInputError,
  isDigest,
  loginServer,
  parseExistingImage,
  parseImageReference,
  parseRepository,
  registryApiHost,
  repositoryName,
  taggedReference,
  validateTag,
} from '../../src/image/reference';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', { registry: 'docker.io', path: 'library/nginx', tag: undefined, digest: undefined }],
    ['acme/web:1.2', { registry: 'docker.io', path: 'acme/web', tag: '1.2', digest: undefined }],
    ['docker.io/acme/web', { registry: 'docker.io', path: 'acme/web', tag: undefined, digest: undefined }],
    [
      'index.docker.io/nginx:latest',
      { registry: 'docker.io', path: 'library/nginx', tag: 'latest', digest: undefined },
    ],
    [
      'ghcr.io/acme/team/web:v1',
      { registry: 'ghcr.io', path: 'acme/team/web', tag: 'v1', digest: undefined },
    ],
    [
      '127.0.0.1:5000/ci/app',
      { registry: '127.0.0.1:5000', path: 'ci/app', tag: undefined, digest: undefined },
    ],
    ['localhost/app:dev', { registry: 'localhost', path: 'app', tag: 'dev', digest: undefined }],
    ['[::1]:5000/app:x', { registry: '[::1]:5000', path: 'app', tag: 'x', digest: undefined }],
    [`acme/web@${DIGEST}`, { registry: 'docker.io', path: 'acme/web', tag: undefined, digest: DIGEST }],
    [
      `reg.example.com:443/a/b:t@${DIGEST}`,
      { registry: 'reg.example.com:443', path: 'a/b', tag: 't', digest: DIGEST },
    ],
    [
      'my_org/web.app__x-y',
      { registry: 'docker.io', path: 'my_org/web.app__x-y', tag: undefined, digest: undefined },
    ],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  it('keeps a single-name repository on another registry as it is (library/ is DockerHub only)', () => {
    expect(parseImageReference('ghcr.io/web').path).toBe('web');
  });

  it('treats a first component with capitals as a registry host, as Docker does', () => {
    expect(parseImageReference('MyRegistry/app').registry).toBe('MyRegistry');
  });

  it.each([
    ['', /empty/],
    ['acme/Web', /not a valid image name/],
    ['acme//web', /not a valid image name/],
    ['acme/web-', /not a valid image name/],
    ['acme/web:', /not a valid image tag/],
    ['acme/web:-x', /not a valid image tag/],
    [`acme/web:${'t'.repeat(129)}`, /not a valid image tag/],
    ['acme/web@sha256:abc', /64 lower-case hex/],
    [`acme/web@sha512:${'a'.repeat(128)}`, /"sha256:"/],
    [`acme/web@${DIGEST.toUpperCase().replace('SHA256', 'sha256')}`, /64 lower-case hex/],
    ['bad_host.example.com/a', /not a valid registry host/],
    [`acme/${'a'.repeat(250)}`, /longer than 255/],
  ])('refuses %j', (text, message) => {
    expect(() => parseImageReference(text)).toThrow(ImageInputError);
    expect(() => parseImageReference(text)).toThrow(message);
  });
});

describe('parseRepository', () => {
  it('accepts a bare repository', () => {
    expect(parseRepository('acme/web')).toEqual({ registry: 'docker.io', path: 'acme/web' });
  });

  it.each(['acme/web:latest', `acme/web@${DIGEST}`])('refuses %s: the action picks the tags', (text) => {
    expect(() => parseRepository(text)).toThrow(/without a tag or digest/);
  });
});

describe('parseExistingImage', () => {
  it.each(['acme/web:abc123', `acme/web@${DIGEST}`])('accepts %s', (text) => {
    expect(parseExistingImage(text).path).toBe('acme/web');
  });

  it('refuses an image without tag or digest instead of assuming latest', () => {
    expect(() => parseExistingImage('acme/web')).toThrow(/"latest" is never assumed/);
  });
});

describe('validateTag', () => {
  it.each(['latest', 'v1.2.3', '_x', 'A-b_c.d', 'a'.repeat(128), 'e83c5163316f89bfbde7d9ab23ca2e25604af290'])(
    'accepts %s',
    (tag) => {
      expect(validateTag(tag)).toBe(tag);
    },
  );

  it.each(['', '.x', '-x', 'a/b', 'a:b', 'a b', 'a'.repeat(129), 'ü'])('refuses %j', (tag) => {
    expect(() => validateTag(tag)).toThrow(ImageInputError);
  });
});

describe('formatting', () => {
  const repository = { registry: 'docker.io', path: 'acme/web' };

  it('names repositories fully qualified, so hosts apply no defaults of their own', () => {
    expect(repositoryName(repository)).toBe('docker.io/acme/web');
    expect(taggedReference(repository, 'v1')).toBe('docker.io/acme/web:v1');
    expect(digestReference(repository, DIGEST)).toBe(`docker.io/acme/web@${DIGEST}`);
  });

  it('never builds a digest reference from something that is not a sha256 digest', () => {
    expect(() => digestReference(repository, 'sha256:1234')).toThrow(/Not a sha256 digest/);
    expect(isDigest(DIGEST)).toBe(true);
    expect(isDigest(` ${DIGEST}`)).toBe(false);
  });

  it('talks to DockerHub through its API host and logs in with the CLI default', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io');
    expect(loginServer('docker.io')).toBeUndefined();
    expect(loginServer('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});
