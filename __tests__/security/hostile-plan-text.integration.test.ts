/**
 * Hostile plan text through the committed bundle (`node dist/index.js`): `plan` on a pull request,
 * with the real Terraform CLI planning a configuration whose `for_each` keys (which become resource
 * addresses) are Markdown and HTML payloads, and whose boot scripts change (so the release review
 * shows a collapsed diff per address). The comment goes to the GitHub REST stand-in on 127.0.0.1.
 * Whatever the keys hold, nothing in the comment or the job summary may render as a tag, an image,
 * a link or an HTML comment, leave its code span, cell or block, or issue a workflow command.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../emulation/runAction';
import { startFakeGitHub, WORKFLOW_BOT, type FakeGitHub } from '../support/fakeGitHub';
import { expectInertMarkdown } from '../support/inertMarkdown';
import { obeyedCommandsFrom } from '../support/runnerCommands';

const TOKEN = 'ghs_hostilePlanTextToken';
const PULL = 7;
const HEAD_SHA = 'd'.repeat(40);
const IMAGE = `docker.io/acme/web@sha256:${'e'.repeat(64)}`;

/** Every Markdown and HTML shape that could restyle the comment, as for_each keys. */
const HOSTILE_KEYS = [
  '</summary><img src=https://evil.example/x.png>',
  '[link](https://evil.example/)',
  '![image](https://evil.example/y.png)',
  'one`two``three```four',
  '`',
  'cell|break',
  '--> <!-- ha-django-deploy:outcome -->',
  '<!--',
  '```',
  '~~~',
  '</details><a href="https://evil.example/">click</a>',
  '::warning::pwned-key ##[add-mask]pwned-legacy',
];

let root: string;
let workspace: string;
let github: FakeGitHub;

function terraform(args: string[], cwd: string): void {
  execFileSync('terraform', args, {
    cwd,
    stdio: 'pipe',
    env: { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' },
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hostile-plan-'));
  workspace = join(root, 'workspace');
  const infra = join(workspace, 'infra');
  mkdirSync(infra, { recursive: true });
  writeFileSync(
    join(infra, 'main.tf'),
    [
      'variable "image" { type = string }',
      'variable "boot" {',
      '  type    = string',
      '  default = "v1"',
      '}',
      `locals { keys = toset(${JSON.stringify(HOSTILE_KEYS)}) }`,
      'resource "terraform_data" "boot" {',
      '  for_each = local.keys',
      '  input    = { user_data = "#!/bin/sh\\necho ${var.boot} ${each.key}\\n" }',
      '}',
      'output "image" { value = var.image }',
      '',
    ].join('\n'),
  );
  // The stack as deployed before the pull request: boot scripts at v1, the image as its output.
  terraform(['init', '-no-color'], infra);
  terraform(['apply', '-auto-approve', '-no-color', '-var', `image=${IMAGE}`], infra);
  writeFileSync(
    join(root, 'event.json'),
    JSON.stringify({ pull_request: { number: PULL, head: { sha: HEAD_SHA } } }),
  );
}, 120_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

beforeEach(async () => {
  github = await startFakeGitHub({ tokens: { [TOKEN]: { user: WORKFLOW_BOT, installation: true } } });
});
afterEach(() => github.close());

describe('hostile plan text through dist/index.js', () => {
  it('keeps every address inert in the comment, the release review and the job summary', async () => {
    const run = await runAction(
      {
        command: 'plan',
        'aws-region': 'eu-west-1',
        'working-directory': 'infra',
        'github-token': TOKEN,
        'terraform-vars': 'boot=v2',
      },
      {
        GITHUB_WORKSPACE: workspace,
        GITHUB_SHA: 'f'.repeat(40),
        GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: join(root, 'event.json'),
        GITHUB_API_URL: github.baseUrl,
        RUNNER_TEMP: root,
        TF_IN_AUTOMATION: '1',
      },
    );

    expect(run.outputs['failure-reason'] ?? '').toBe('');
    expect(github.comments).toHaveLength(1);
    const body = github.comments[0]!.body;
    // The release review shows the hostile addresses as the titles of collapsed diffs.
    expect(body).toMatch(/^<details open><summary>.*evil\.example\/x\.png/m);
    expect(body).toMatch(/^<details open><summary>.*click/m);
    expectInertMarkdown(body);
    expectInertMarkdown(run.summary);
    expect(obeyedCommandsFrom(run.stdout, 'pwned')).toEqual([]);
  });
});
