/**
 * A registry behind a certificate the runner does not trust: a real HTTPS server on loopback with a
 * self-signed certificate (made here with openssl), reached with Node's own fetch, as the action does.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../../src/exec';
import { RegistryClient } from '../../src/image/registry';
import {
  isUntrustedCertificateError,
  registryTrustHint,
  saysUntrustedCertificate,
} from '../../src/image/trust';
import { selfSignedCertificate } from '../support/certificates';
import { createFakeClock } from '../support/fakeClock';
import { rejection } from '../support/rejection';

let dir: string;
let server: Server;
let host: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'registry-ca-'));
  const { keyFile, certFile } = selfSignedCertificate(dir, 'registry', '/CN=127.0.0.1', [
    'subjectAltName=IP:127.0.0.1',
  ]);
  server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (_request, response) =>
    response.writeHead(200).end('{}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('a registry with a private CA', () => {
  it('fails the action’s own registry request with how to trust the CA, not "check the host name"', async () => {
    const client = new RegistryClient({
      fetch,
      clock: createFakeClock().clock,
      credentials: undefined,
      scheme: 'https',
    });
    const error = await rejection(client.manifestDigest({ registry: host, path: 'acme/web' }, 'v1'));
    expect(error.reason).toBe('registry-unreachable');
    expect(error.nextSteps).toContain('NODE_EXTRA_CA_CERTS');
    expect(error.nextSteps).toContain(`/etc/docker/certs.d/${host}/ca.crt`);
  });

  it('tells an untrusted chain apart from a refused connection', async () => {
    const untrusted = await fetch(`https://${host}/v2/`).catch((error: unknown) => error);
    expect(isUntrustedCertificateError(untrusted)).toBe(true);
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(isUntrustedCertificateError(refused)).toBe(false);
  });

  it.each([
    [
      'Error response from daemon: Get "https://r.example/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      true,
    ],
    [
      'Error: authenticating creds for "r.example": pinging container registry r.example: Get "https://r.example/v2/": x509: certificate signed by unknown authority',
      true,
    ],
    ['Error response from daemon: unauthorized: incorrect username or password', false],
  ])('reads docker’s words: %s', (stderr, untrusted) => {
    expect(saysUntrustedCertificate(stderr)).toBe(untrusted);
  });

  it('names the registry in where docker and podman read its CA', () => {
    expect(registryTrustHint('registry.example:5000')).toMatch(
      /\/etc\/docker\/certs\.d\/registry\.example:5000\/ca\.crt .*\/etc\/containers\/certs\.d\/registry\.example:5000\/ca\.crt/,
    );
  });
});

describe('the preflight pulling an image from a registry with a private CA', () => {
  it('fails preflight-not-run with how to trust the CA', async () => {
    const { runPreflight } = await import('../../src/preflight');
    const { createRecorder } = await import('../support/recorder');
    const run: CommandRunner = (_tool, args) =>
      Promise.resolve({
        exitCode: args[0] === 'run' ? 125 : 0,
        stdout: '',
        stderr:
          args[0] === 'run'
            ? 'Error: initializing source docker://registry.internal:5000/acme/web:v1: pinging container registry registry.internal:5000: Get "https://registry.internal:5000/v2/": x509: certificate signed by unknown authority'
            : '',
      });
    const error = await rejection(
      runPreflight(
        { run, log: createRecorder().log, clock: createFakeClock().clock },
        { healthPath: '/health/', pagePath: '/', expectedCommit: undefined, startupTimeoutSeconds: 60 },
        'registry.internal:5000/acme/web:v1',
      ),
    );
    expect(error.reason).toBe('preflight-not-run');
    expect(error.nextSteps).toContain('/etc/docker/certs.d/registry.internal:5000/ca.crt');
  });
});
