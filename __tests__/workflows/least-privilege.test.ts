/**
 * What act cannot show (it enforces no `permissions` and prints no secret): each job's token
 * permissions, which steps see which secrets, and the deploy job's default-branch check, run as
 * the runner would run its script. The reusable workflow runs for real in
 * reusable-workflow.e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  needs?: string | string[];
  uses?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
}

function workflow(path: string): { permissions?: Record<string, string>; jobs: Record<string, Job> } {
  return parse(readFileSync(join(ROOT, path), 'utf8')) as ReturnType<typeof workflow>;
}

const reusable = workflow('.github/workflows/deploy.yml');
const release = workflow('.github/workflows/release.yml');

/** write > read > none, as GitHub ranks a permission. */
const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

describe('the reusable workflow: one token per job, no more than that job uses', () => {
  it.each([
    ['action', { 'id-token': 'write' }],
    ['plan', { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' }],
    // pull-requests: write records the outcome in the plan comment (read alone cannot).
    ['deploy', { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' }],
    ['scale-test', { contents: 'read', 'id-token': 'write' }],
  ])('%s asks for exactly %j', (name, permissions) => {
    expect(reusable.permissions).toEqual({});
    expect(reusable.jobs[name]?.permissions).toEqual(permissions);
  });

  const callers = [
    ...readdirSync(join(ROOT, '.github/examples')).map((file) => `.github/examples/${file}`),
    '__tests__/workflows/caller.yml',
  ];

  // GitHub refuses to start a caller whose grant is below what any job of the called workflow asks
  // for, whether or not the event runs that job (actions/runner#4151): a caller that drops a
  // permission the workflow asks for fails before any job, so each caller must cover all of them.
  it.each(callers)('%s grants what every job of the reusable workflow asks for, and nothing more', (file) => {
    const [caller] = Object.values(workflow(file).jobs).filter((job) =>
      job.uses?.includes('/.github/workflows/deploy.yml@'),
    );
    const asked: Record<string, string> = {};
    for (const job of Object.values(reusable.jobs)) {
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        if ((LEVEL[level] ?? 0) > (LEVEL[asked[scope] ?? 'none'] ?? 0)) asked[scope] = level;
      }
    }
    expect(caller?.permissions).toEqual(asked);
  });

  it("never hands the plan job's steps a registry credential, only whether one is set", () => {
    const credentials = ['pull-token', 'dockerhub-token'];
    const values = (reusable.jobs.plan?.steps ?? []).flatMap((step) => [
      ...Object.values(step.with ?? {}),
      ...Object.values(step.env ?? {}),
      step.run ?? '',
    ]);
    const uses = values.flatMap((value) =>
      [...String(value).matchAll(/\$\{\{(.*?)\}\}/g)].map((match) => match[1] ?? ''),
    );
    for (const name of credentials) {
      for (const expression of uses.filter((text) => text.includes(`secrets.${name}`))) {
        // Only as the condition of `&&` (`secrets.X && 'literal'`): the expression never yields it.
        expect(expression.replace(new RegExp(`secrets\\.${name}\\s*&&`, 'g'), '')).not.toContain(
          `secrets.${name}`,
        );
      }
    }
    const pullToken = (reusable.jobs.plan?.steps ?? []).find(
      (step) => step.with?.['pull-token'] !== undefined,
    );
    expect(pullToken?.with?.['pull-token']).toMatch(/^\$\{\{ secrets\.pull-token && '[\w-]+' \|\| '' \}\}$/);
  });
});

describe('the release: dependency code runs without the write token', () => {
  const jobs = Object.entries(release.jobs);
  const runsThirdPartyCode = (job: Job) =>
    (job.steps ?? []).some(
      (step) =>
        /\b(npm|npx|node|yarn|pnpm|pip|tsx)\b/.test(step.run ?? '') ||
        (step.uses !== undefined && !step.uses.startsWith('actions/checkout@')),
    );
  const writers = jobs.filter(([, job]) => job.permissions?.contents === 'write');

  it('verifies the bundle in a job that can only read, and keeps no token on disk', () => {
    const verifiers = jobs.filter(([, job]) => runsThirdPartyCode(job));
    expect(verifiers.length).toBeGreaterThan(0);
    for (const [, job] of verifiers) {
      expect(job.permissions).toEqual({ contents: 'read' });
      for (const step of (job.steps ?? []).filter((candidate) =>
        candidate.uses?.startsWith('actions/checkout@'),
      ))
        expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  it('tags in a job that runs no third-party code, only after the verification, on the verified commit', () => {
    expect(writers.map(([name]) => name)).toHaveLength(1);
    const [, tagger] = writers[0]!;
    expect(runsThirdPartyCode(tagger)).toBe(false);
    const verifiers = jobs.filter(([, job]) => runsThirdPartyCode(job)).map(([name]) => name);
    expect([tagger.needs].flat()).toEqual(verifiers);
    expect(tagger.steps?.[0]?.with?.ref).toBe('${{ github.sha }}');
    expect((tagger.steps ?? []).map((step) => step.run ?? '').join('\n')).toContain('scripts/release.sh');
  });
});

describe("the deploy job's ref check", () => {
  const steps = reusable.jobs.deploy?.steps ?? [];
  const check = steps.find((step) => step.name === 'Check the ref this deploy ships');

  it('comes first: before anything is checked out, built, assumed or applied', () => {
    expect(steps[0]).toBe(check);
    expect(check?.env).toEqual({
      EVENT_NAME: '${{ github.event_name }}',
      REF: '${{ github.ref }}',
      SHA: '${{ github.sha }}',
      DEFAULT_BRANCH: '${{ github.event.repository.default_branch }}',
    });
  });

  const SHA = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
  function run(event: string, ref: string, defaultBranch: string) {
    const result = spawnSync('bash', ['-e', '-c', check?.run ?? 'exit 99'], {
      env: { PATH: process.env.PATH, EVENT_NAME: event, REF: ref, SHA, DEFAULT_BRANCH: defaultBranch },
      encoding: 'utf8',
    });
    return { status: result.status, output: result.stdout };
  }

  it.each([
    ['main', 'refs/heads/main'],
    ['trunk', 'refs/heads/trunk'],
  ])('deploys a push to the default branch (%s) and says which ref and commit', (branch, ref) => {
    expect(run('push', ref, branch)).toEqual({
      status: 0,
      output: `ha-django-deploy: deploying ${ref} at ${SHA} (push; default branch ${branch})\n`,
    });
  });

  it.each(['refs/heads/feature/login', 'refs/heads/main-old', 'refs/tags/v1.2.0', 'refs/heads/trunk'])(
    'refuses a push to %s before anything is built',
    (ref) => {
      const result = run('push', ref, 'main');
      expect(result.status).toBe(1);
      expect(result.output).toContain(`::error::A push to ${ref} does not deploy`);
      expect(result.output).toContain('only pushes to the default branch (main) do');
      expect(result.output).toContain('Nothing was built or changed.');
    },
  );

  it('refuses a push whose event names no default branch', () => {
    const result = run('push', 'refs/heads/main', '');
    expect(result.status).toBe(1);
    expect(result.output).toContain('::error::The push event names no default branch');
  });

  it('lets a dispatch deploy the ref it names, and logs it', () => {
    expect(run('workflow_dispatch', 'refs/heads/hotfix', 'main')).toEqual({
      status: 0,
      output: `ha-django-deploy: deploying refs/heads/hotfix at ${SHA} (workflow_dispatch; default branch main)\n`,
    });
  });
});
