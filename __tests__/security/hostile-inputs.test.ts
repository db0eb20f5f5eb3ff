/**
 * Hostile inputs through the committed bundle (`node dist/index.js`), the way a workflow runs it.
 * `docker` and `terraform` on PATH are RECORDING STAND-INS (shell scripts that log every call and
 * their environment), AWS and GitHub are a recording HTTP server on loopback: every case must fail
 * with one `::error::` naming the input, no stack trace, no secret, no workflow command of its own,
 * and nothing run or requested. The second part runs valid inputs far enough for the stand-ins to
 * be called, to check what the tools get: an environment without the action's inputs, variables
 * as TF_VAR_*, echoed command lines without secrets, and output that cannot issue commands.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, type ActionRun } from '../../emulation/runAction';

const SHA = 'c'.repeat(40);
const DOCKERHUB_TOKEN = 'dckr_pat_Hostile-Suite-Secret-0001';
const GITHUB_TOKEN = 'ghs_HostileSuiteSecret0002';
const BACKEND_SECRET = 'BackendSecretValue0003';
const VARIABLE_SECRET = 'VariableSecretValue0004';

let root: string;
let workspace: string;
let bin: string;
let calls: string;
let server: Server;
let endpoint: string;
const requests: string[] = [];

/** A tool stand-in: records its argv and environment, prints would-be workflow commands, fails. */
function standIn(name: string): void {
  const script = [
    '#!/bin/sh',
    `echo "${name} $*" >> "$STANDIN_CALLS/calls"`,
    `env > "$STANDIN_CALLS/${name}-$$.env"`,
    "printf '::warning::injected by %s\\n    ::add-mask::leak\\n::set-output name=x::y' " + name,
    'exit 1',
  ].join('\n');
  writeFileSync(join(bin, name), `${script}\n`);
  chmodSync(join(bin, name), 0o755);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hostile-'));
  workspace = join(root, 'workspace');
  bin = join(root, 'bin');
  calls = join(root, 'calls');
  for (const dir of [workspace, bin, calls, join(workspace, 'app'), join(workspace, 'infra')]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(workspace, 'app', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(workspace, 'infra', 'main.tf'), '');
  writeFileSync(join(workspace, 'infra', 'prod.tfvars'), '');
  writeFileSync(join(root, 'outside.tfvars'), '');
  symlinkSync('/proc/self/environ', join(workspace, 'environ.tfvars'));
  symlinkSync('/etc', join(workspace, 'etc-link'));
  symlinkSync(join(root, 'outside.tfvars'), join(workspace, 'infra', 'outside.tfvars'));
  standIn('docker');
  standIn('terraform');
  server = createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  requests.length = 0;
  rmSync(calls, { recursive: true, force: true });
  mkdirSync(calls);
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    STANDIN_CALLS: calls,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: endpoint,
    RUNNER_TEMP: root,
    ...extra,
  };
}

const BUILD = {
  command: 'deploy',
  'aws-region': 'eu-west-1',
  'aws-endpoint-url': '',
  'image-repository': 'acme/web',
  'dockerhub-username': 'acme-ci',
  'dockerhub-token': DOCKERHUB_TOKEN,
  'github-token': GITHUB_TOKEN,
  'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
};
const ROLLOUT = { command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web' };

function toolCalls(): string[] {
  try {
    return readFileSync(join(calls, 'calls'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
}

/** Lines the runner would read as a workflow command, besides the one expected error. */
function commandLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^\s*::/.test(line));
}

function expectRefused(run: ActionRun, input: string, secrets: string[] = []): void {
  expect(run.exitCode).not.toBe(0);
  const commands = commandLines(run.stdout);
  expect(commands).toHaveLength(1);
  expect(commands[0]).toMatch(/^::error::\d+ invalid inputs?; nothing was built, planned or changed/);
  expect(run.stdout).toMatch(new RegExp(`^\\s+- ${input}: `, 'm'));
  expect(run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  for (const secret of [DOCKERHUB_TOKEN, GITHUB_TOKEN, ...secrets]) expect(run.stdout).not.toContain(secret);
  expect(toolCalls()).toEqual([]);
  expect(requests).toEqual([]);
  expect(run.outputs['failure-reason']).toBe('invalid-input');
}

type Case = [label: string, inputs: Record<string, string>, input: string, secrets?: string[]];

const controlCharacterCases: Case[] = [
  ['a newline and a command in asg-name', { ...ROLLOUT, 'asg-name': 'web\n::warning::pwned' }, 'asg-name'],
  ['a carriage return in app-url', { ...ROLLOUT, 'app-url': 'https://a.example\r::error::x' }, 'app-url'],
  // NUL cannot travel in an environment variable, so through the runner it never arrives; the
  // parser refuses it too (config/deploy-plan.test.ts).
  [
    'a backspace in dockerhub-username',
    { ...BUILD, 'dockerhub-username': 'acme\u0008ci' },
    'dockerhub-username',
  ],
  ['a newline in dockerfile', { ...BUILD, dockerfile: 'app/Dockerfile\n::add-mask::x' }, 'dockerfile'],
  ['a newline in build-context', { ...BUILD, 'build-context': 'app\n::stop-commands::x' }, 'build-context'],
  [
    'a line separator in image-repository',
    { ...BUILD, 'image-repository': 'acme/web\u2028x' },
    'image-repository',
  ],
  [
    'an escape in working-directory',
    { ...BUILD, 'working-directory': 'infra\u001b[2J' },
    'working-directory',
  ],
  ['a NEL (C1) in smoke-path', { ...ROLLOUT, 'smoke-path': '/health/\u0085::warning::x' }, 'smoke-path'],
  [
    'a lone CR inside a backend-config line',
    { ...BUILD, 'backend-config': 'bucket=a\rkey=b\nkey=c' },
    'backend-config',
  ],
  ['a BEL in a terraform-vars line', { ...BUILD, 'terraform-vars': 'env=prod\u0007' }, 'terraform-vars'],
  ['a DEL in extra-tags', { ...BUILD, 'extra-tags': 'v1\nv2\u007f' }, 'extra-tags'],
  [
    'a paragraph separator in github-token',
    { ...BUILD, 'github-token': `ghs_\u2029${GITHUB_TOKEN}` },
    'github-token',
  ],
  ['a tab in the region', { ...ROLLOUT, 'aws-region': 'eu-west-1\tx' }, 'aws-region'],
  [
    'a newline in the token',
    { ...BUILD, 'dockerhub-token': `${DOCKERHUB_TOKEN}\n::warning::x` },
    'dockerhub-token',
  ],
  ['a newline in command', { ...ROLLOUT, command: 'rollout\n::warning::x' }, 'command'],
];

const secretCases: Case[] = [
  [
    'a backend-config line without = holding a secret',
    { ...BUILD, 'backend-config': `bucket=a\nkey=b\nsecret_key ${BACKEND_SECRET}` },
    'backend-config',
    [BACKEND_SECRET],
  ],
  [
    'a terraform-vars line with a bad name holding a secret',
    { ...BUILD, 'terraform-vars': `db password=${VARIABLE_SECRET}` },
    'terraform-vars',
    [VARIABLE_SECRET],
  ],
  [
    'a build-args line with a bad name holding a secret',
    { ...BUILD, 'build-args': `=${VARIABLE_SECRET}` },
    'build-args',
    [VARIABLE_SECRET],
  ],
  [
    'a duplicated backend key with a secret value',
    {
      ...BUILD,
      'backend-config': `bucket=a\nkey=b\nsecret_key=${BACKEND_SECRET}\nsecret_key=${BACKEND_SECRET}x`,
    },
    'backend-config',
    [BACKEND_SECRET],
  ],
];

const pathCases: Case[] = [
  ['working-directory above the workspace', { ...BUILD, 'working-directory': '../' }, 'working-directory'],
  ['a missing working-directory', { ...BUILD, 'working-directory': 'no-such-dir' }, 'working-directory'],
  ['var-files naming /proc/self/environ', { ...BUILD, 'var-files': '/proc/self/environ' }, 'var-files'],
  [
    'var-files through a symlink to /proc/self/environ',
    { ...BUILD, 'var-files': 'environ.tfvars' },
    'var-files',
  ],
  [
    'var-files through a symlink out of the workspace',
    { ...BUILD, 'var-files': 'infra/outside.tfvars' },
    'var-files',
  ],
  ['build-context through a symlink to /etc', { ...BUILD, 'build-context': 'etc-link' }, 'build-context'],
  ['dockerfile outside the workspace', { ...BUILD, dockerfile: '/etc/passwd' }, 'dockerfile'],
  ['dockerfile naming a directory', { ...BUILD, dockerfile: 'app' }, 'dockerfile'],
  ['build-context naming a file', { ...BUILD, 'build-context': 'app/Dockerfile' }, 'build-context'],
  [
    'build-context outside the workspace, even when nothing is built',
    { ...BUILD, image: `acme/web@sha256:${'d'.repeat(64)}`, 'build-context': '../' },
    'build-context',
  ],
  [
    'dockerfile outside the workspace with command rollout',
    { ...ROLLOUT, dockerfile: '/etc/shadow' },
    'dockerfile',
  ],
];

const urlCases: Case[] = [
  [
    'an endpoint port out of range',
    { ...ROLLOUT, 'aws-endpoint-url': 'http://127.0.0.1:99999' },
    'aws-endpoint-url',
  ],
  [
    'an endpoint with user:password',
    { ...ROLLOUT, 'aws-endpoint-url': 'https://u:p@x.example' },
    'aws-endpoint-url',
  ],
  ['an unparsable app-url', { ...ROLLOUT, 'app-url': 'http://exa mple.com' }, 'app-url'],
  ['an app-url with a query', { ...ROLLOUT, 'app-url': 'https://a.example/?x=1' }, 'app-url'],
  ['a registry port of 0', { ...BUILD, 'image-repository': '127.0.0.1:0/acme/web' }, 'image-repository'],
  ['a registry port above 65535', { ...BUILD, image: '127.0.0.1:70000/acme/web:v1' }, 'image'],
  ['a smoke-path naming another host', { ...ROLLOUT, 'smoke-path': '//evil.example/' }, 'smoke-path'],
];

const registryCases: Case[] = [
  [
    'an image outside image-repository with credentials',
    { ...BUILD, image: 'evil.example/acme/web:v1' },
    'image',
  ],
  [
    'another repository of the same registry',
    { ...BUILD, image: `acme/other@sha256:${'d'.repeat(64)}` },
    'image',
  ],
  [
    'credentials with an image and no image-repository',
    { ...BUILD, 'image-repository': '', image: 'evil.example/acme/web:v1' },
    'image-repository',
  ],
];

describe('hostile inputs through dist/index.js', () => {
  describe.each([
    ['control characters (workflow-command injection)', controlCharacterCases],
    ['secrets in input errors', secretCases],
    ['paths outside the workspace', pathCases],
    ['URLs and ports', urlCases],
    ['registry credentials', registryCases],
  ])('%s', (_group, cases) => {
    it.each(cases)('refuses %s', async (_label, inputs, input, secrets = []) => {
      expectRefused(await runAction(inputs, env()), input, secrets);
    });
  });

  it('reports the invalid input once, without a stack, when GITHUB_OUTPUT cannot be written', async () => {
    const run = await runAction(
      { ...ROLLOUT, 'asg-name': 'web\nx' },
      env({ GITHUB_OUTPUT: join(root, 'no-such-dir', 'output') }),
    );
    expect(run.exitCode).not.toBe(0);
    expect(commandLines(run.stdout).filter((line) => line.startsWith('::error::'))).toHaveLength(1);
    expect(run.stdout).toContain('- asg-name: ');
    expect(run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});

/** The environments the stand-ins recorded, one per call. */
function recordedEnvironments(tool: string): string[] {
  return readdirSync(calls)
    .filter((file) => file.startsWith(`${tool}-`))
    .map((file) => readFileSync(join(calls, file), 'utf8'));
}

describe('what terraform and docker get, through dist/index.js', () => {
  const plan = {
    command: 'plan',
    'aws-region': 'eu-west-1',
    'comment-on-pr': 'false',
    'github-token': GITHUB_TOKEN,
    'dockerhub-token': DOCKERHUB_TOKEN,
    'dockerhub-username': 'acme-ci',
    'image-repository': 'acme/web',
    'working-directory': 'infra',
    'var-files': 'infra/prod.tfvars',
    'backend-config': `bucket=acme-tfstate\nkey=web/prod.tfstate\nsecret_key=${BACKEND_SECRET}`,
    'terraform-vars': `db_password=${VARIABLE_SECRET}\nenvironment=prod`,
  };

  it('withholds every INPUT_* variable, passes variables as TF_VAR_*, and echoes no secret', async () => {
    // On a runner: the secrets are registered with ::add-mask::, which the runner reads and hides.
    const run = await runAction(plan, env({ GITHUB_ACTIONS: 'true' }));
    expect(run.exitCode).not.toBe(0);
    expect(run.outputs['failure-reason']).toBe('terraform-init-failed');
    const [init] = toolCalls();
    expect(init).toContain(`-backend-config=secret_key=${BACKEND_SECRET}`);
    const environments = recordedEnvironments('terraform');
    expect(environments).toHaveLength(1);
    expect(environments[0]).not.toMatch(/^INPUT_/im);
    expect(environments[0]).not.toContain(DOCKERHUB_TOKEN);
    expect(environments[0]).not.toContain(GITHUB_TOKEN);
    // Everything printed besides the runner's own add-mask commands is free of the secrets.
    const log = run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(log).toContain('-backend-config=secret_key=***');
    for (const secret of [BACKEND_SECRET, DOCKERHUB_TOKEN, GITHUB_TOKEN]) expect(log).not.toContain(secret);
    expect(run.stdout).toContain(`::add-mask::${BACKEND_SECRET}`);
  });

  it('off a runner, prints no secret at all: no ::add-mask:: nobody reads, through the registry login', async () => {
    // Not GITHUB_ACTIONS=true: a local run, whose stdout and stderr are read by a person or a file.
    const run = await runAction({ ...BUILD, preflight: 'false' }, env({ GITHUB_ACTIONS: '' }));
    expect(run.exitCode).not.toBe(0);
    // The registry login was reached, with the token on docker's stdin.
    expect(toolCalls().some((call) => /^docker login\b/.test(call))).toBe(true);
    expect(run.stdout).not.toContain('::add-mask::');
    for (const secret of [DOCKERHUB_TOKEN, GITHUB_TOKEN]) expect(run.stdout).not.toContain(secret);
  });

  it('streams tool output inside a stop-commands block the output cannot end', async () => {
    const run = await runAction(plan, env());
    const lines = run.stdout.split('\n');
    const start = lines.findIndex((line) => line.startsWith('::stop-commands::'));
    expect(start).toBeGreaterThanOrEqual(0);
    const token = lines[start]!.slice('::stop-commands::'.length);
    expect(token).toMatch(/^ha-django-deploy-[0-9a-f]{32}$/);
    const end = lines.indexOf(`::${token}::`);
    expect(end).toBeGreaterThan(start);
    const inside = lines.slice(start + 1, end);
    expect(inside[0]).toMatch(/^\[command\]terraform init /);
    expect(inside).toContain('::warning::injected by terraform');
    expect(inside).toContain('    ::add-mask::leak');
    // Outside the block no line the tool printed appears as a command.
    const outside = [...lines.slice(0, start), ...lines.slice(end + 1)];
    expect(outside.filter((line) => /injected|::add-mask::leak|::set-output/.test(line))).toEqual([]);
  });

  it('hands terraform plan its variables as TF_VAR_*, not in argv', async () => {
    // A terraform whose init and outputs succeed, so the plan runs; it records argv and env.
    const script = [
      '#!/bin/sh',
      'echo "terraform $*" >> "$STANDIN_CALLS/calls"',
      'case "$1" in',
      '  init) exit 0 ;;',
      `  output) echo '{"image":{"value":"docker.io/acme/web@sha256:${'e'.repeat(64)}","type":"string","sensitive":false}}'; exit 0 ;;`,
      '  plan) env > "$STANDIN_CALLS/terraform-plan.env"; exit 1 ;;',
      'esac',
      'exit 1',
    ].join('\n');
    const customBin = join(root, 'bin-plan');
    mkdirSync(customBin, { recursive: true });
    writeFileSync(join(customBin, 'terraform'), `${script}\n`);
    chmodSync(join(customBin, 'terraform'), 0o755);
    const run = await runAction(plan, env({ PATH: `${customBin}:${process.env.PATH ?? ''}` }));
    expect(run.exitCode).not.toBe(0);
    const planCall = toolCalls().find((call) => call.startsWith('terraform plan'));
    expect(planCall).toBeDefined();
    expect(planCall).not.toContain(VARIABLE_SECRET);
    expect(planCall).toContain(`-var-file=${join(workspace, 'infra', 'prod.tfvars')}`);
    const planEnv = readFileSync(join(calls, 'terraform-plan.env'), 'utf8');
    expect(planEnv).toContain(`TF_VAR_db_password=${VARIABLE_SECRET}`);
    expect(planEnv).toContain('TF_VAR_environment=prod');
    expect(planEnv).not.toMatch(/^INPUT_/im);
  });
});
