/**
 * What nektos/act needs to run the reusable workflow here with the pinned actions' real code, all on
 * 127.0.0.1 (see ../shared/notes/workflow-runner-facts.md):
 * - a git server (`git http-backend`) standing in for github.com's git, which actions/checkout
 *   fetches the caller's repository and this action's commit from;
 * - an HTTPS proxy that answers only releases.hashicorp.com (with a certificate from a local CA),
 *   serving the machine's own Terraform as the release hashicorp/setup-terraform downloads, and
 *   tunnels to loopback only; every other host is refused;
 * - an OIDC token endpoint standing in for the runner's (ACTIONS_ID_TOKEN_REQUEST_URL), whose
 *   token carries the claims GitHub documents (job_workflow_ref, job_workflow_sha, ...); it is not
 *   signed by GitHub, which moto's STS does not check.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificates';

export const ACT = join(__dirname, '../../.venv-tools/bin/act');

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}

/** Serves the bare repositories under `root` (root/<owner>/<repo>) over git's smart HTTP protocol. */
export async function startGitServer(root: string) {
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: request.method ?? 'GET',
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    request.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headerDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      headerDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const [name, ...rest] = line.split(':');
        const value = rest.join(':').trim();
        if (name?.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else if (name) response.setHeader(name, value);
      }
      response.writeHead(status);
      response.write(head.subarray(end + 4));
    });
    cgi.on('close', () => response.end());
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => close(server) };
}

/** A bare copy of `source` at root/<owner>/<repo>, fetchable by any commit SHA (as GitHub allows). */
export function publishRepository(
  root: string,
  fullName: string,
  source: string,
  extraRefs: Record<string, string> = {},
): void {
  const target = join(root, fullName);
  mkdirSync(join(target, '..'), { recursive: true });
  execFileSync('git', ['clone', '-q', '--bare', source, target]);
  execFileSync('git', ['-C', target, 'config', 'uploadpack.allowAnySHA1InWant', 'true']);
  execFileSync('git', ['-C', target, 'config', 'http.receivepack', 'false']);
  for (const [ref, sha] of Object.entries(extraRefs))
    execFileSync('git', ['-C', target, 'update-ref', ref, sha]);
}

export interface LocalCa {
  /** PEM of the CA certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  key: string;
  cert: string;
}

/** A throwaway CA and a certificate it signed for `host`. */
export function createLocalCa(dir: string, host: string): LocalCa {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  selfSignedCertificate(dir, 'ca', '/CN=ha-django-deploy test CA');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${host}`,
    '-keyout',
    file('leaf.key'),
    '-out',
    file('leaf.csr'),
  );
  writeFileSync(file('leaf.ext'), `subjectAltName=DNS:${host}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    file('leaf.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('leaf.ext'),
    '-out',
    file('leaf.crt'),
  );
  return {
    caFile: file('ca.crt'),
    key: readFileSync(file('leaf.key'), 'utf8'),
    cert: readFileSync(file('leaf.crt'), 'utf8'),
  };
}

const RELEASES_HOST = 'releases.hashicorp.com';

/**
 * The release index and zip of the Terraform on this machine's PATH, the way releases.hashicorp.com
 * publishes them, so hashicorp/setup-terraform installs exactly the CLI the rest of the suite uses.
 */
export function terraformRelease(dir: string) {
  const version =
    /Terraform v(\d+\.\d+\.\d+)/.exec(execFileSync('terraform', ['version'], { encoding: 'utf8' }))?.[1] ??
    '';
  const binary = execFileSync('bash', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim();
  const zipName = `terraform_${version}_linux_amd64.zip`;
  const zipPath = join(dir, zipName);
  execFileSync('python3', [
    '-c',
    'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED).write(sys.argv[2], "terraform")',
    zipPath,
    binary,
  ]);
  const index = {
    name: 'terraform',
    versions: {
      [version]: {
        name: 'terraform',
        version,
        shasums: `terraform_${version}_SHA256SUMS`,
        builds: [
          {
            name: 'terraform',
            version,
            os: 'linux',
            arch: 'amd64',
            filename: zipName,
            url: `https://${RELEASES_HOST}/terraform/${version}/${zipName}`,
          },
        ],
      },
    },
  };
  return {
    version,
    index,
    zipPath,
    zipSha256: createHash('sha256').update(readFileSync(zipPath)).digest('hex'),
  };
}

export async function startReleasesProxy(ca: LocalCa, release: ReturnType<typeof terraformRelease>) {
  const served: string[] = [];
  const refused: string[] = [];
  const releases = createHttpsServer(
    { key: ca.key, cert: ca.cert },
    (request: IncomingMessage, response: ServerResponse) => {
      served.push(request.url ?? '');
      if (request.url === '/terraform/index.json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(release.index));
      } else if (
        request.url === `/terraform/${release.version}/terraform_${release.version}_linux_amd64.zip`
      ) {
        response.writeHead(200, { 'content-type': 'application/zip' });
        response.end(readFileSync(release.zipPath));
      } else {
        response.writeHead(404);
        response.end();
      }
    },
  );
  const proxy = createHttpServer((request, response) => {
    // Plain-HTTP requests in absolute form: forwarded to loopback only.
    const target = new URL(request.url ?? '/', 'http://invalid');
    if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') {
      refused.push(`${request.method ?? ''} ${request.url ?? ''}`);
      response.writeHead(403);
      response.end('this proxy only reaches releases.hashicorp.com and loopback');
      return;
    }
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  proxy.on('connect', (request: IncomingMessage, client: Socket) => {
    const [host, port] = (request.url ?? '').split(':');
    if (host === RELEASES_HOST && port === '443') {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      releases.emit('connection', client);
    } else if (host === '127.0.0.1' || host === 'localhost') {
      const upstream = connect(Number(port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    } else {
      refused.push(`CONNECT ${request.url ?? ''}`);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    }
    client.on('error', () => undefined);
  });
  const port = await listen(proxy);
  return { url: `http://127.0.0.1:${port}`, served, refused, close: () => close(proxy) };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Hands out an OIDC token with GitHub's documented claims for the job; records each audience asked for. */
export async function startOidcStub(claims: Record<string, string>) {
  const audiences: string[] = [];
  const server = createHttpServer((request, response) => {
    const audience =
      new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('audience') ??
      'https://github.com/acme';
    audiences.push(audience);
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: 'https://token.actions.githubusercontent.com',
      aud: audience,
      iat: now,
      nbf: now,
      exp: now + 600,
      ...claims,
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ value: `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(payload)}.c3R1Yg` }),
    );
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/token?api-version=2.0`, audiences, close: () => close(server) };
}

/** Secrets and environment go to act in files (mode 600), never on its command line. */
function writeEnvFile(path: string, values: Record<string, string>): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(
    path,
    Object.entries(values)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  return path;
}

export interface ActRun {
  exitCode: number;
  log: string;
}

/** Runs `act <event>` in `repo` on this host (no Docker), off the network, with the given mappings. */
export function runAct(options: {
  repo: string;
  event: string;
  eventFile: string;
  workflow: string;
  cacheDir: string;
  localRepositories: Record<string, string>;
  secrets: Record<string, string>;
  /** Repository variables (the `vars` context). */
  vars: Record<string, string>;
  env: Record<string, string>;
  timeoutMs: number;
}): Promise<ActRun> {
  const args = [
    options.event,
    '-W',
    options.workflow,
    '--eventpath',
    options.eventFile,
    '-P',
    'ubuntu-24.04=-self-hosted',
    '--container-daemon-socket',
    '-',
    '--no-cache-server',
    '--no-skip-checkout',
    '--action-cache-path',
    options.cacheDir,
    ...Object.entries(options.localRepositories).flatMap(([name, dir]) => [
      '--local-repository',
      `${name}=${dir}`,
    ]),
    '--secret-file',
    writeEnvFile(join(options.cacheDir, 'secrets.env'), options.secrets),
    '--env-file',
    writeEnvFile(join(options.cacheDir, 'job.env'), options.env),
    '--var-file',
    writeEnvFile(join(options.cacheDir, 'vars.env'), options.vars),
  ];
  return new Promise((resolve) => {
    const child = spawn(ACT, args, {
      cwd: options.repo,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        ACT_DISABLE_VERSION_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, log });
    });
  });
}
