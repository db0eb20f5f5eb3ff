/**
 * What a team copies when adopting the action: the IAM policy, the reusable workflow and the
 * examples. Each must match the code: every AWS call allowed, every input real, every action pinned.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spawnSync } from 'node:child_process';
import { readActionMetadata } from '../../scripts/lib/actionDocs';
import { parseConfig } from '../../src/inputs';

const ROOT = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

/** The IAM service prefix of each AWS SDK client package the action uses. */
const IAM_PREFIX: Record<string, string> = {
  'auto-scaling': 'autoscaling',
  ec2: 'ec2',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  cloudwatch: 'cloudwatch',
  'cloudwatch-logs': 'logs',
  ssm: 'ssm',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** `autoscaling:StartInstanceRefresh` for every command the source sends, found by its imports. */
function awsCallsInSource(): string[] {
  const calls = new Set<string>();
  for (const file of sourceFiles('src')) {
    const text = read(file);
    for (const match of text.matchAll(/import \{([^}]+)\} from '@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      const prefix = IAM_PREFIX[match[2] ?? ''];
      if (!prefix)
        throw new Error(`${file}: map @aws-sdk/client-${match[2] ?? ''} to its IAM prefix in this test`);
      for (const name of (match[1] ?? '').split(',').map((item) => item.trim())) {
        const command = /^([A-Z][A-Za-z0-9]+)Command$/.exec(name)?.[1];
        if (command && new RegExp(`new ${name}\\(`).test(text)) calls.add(`${prefix}:${command}`);
      }
    }
  }
  return [...calls].sort();
}

function allows(statements: Statement[], action: string): boolean {
  return statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      [statement.Action]
        .flat()
        .some((pattern) =>
          new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(action),
        ),
  );
}

describe('the deploy policy in docs/iam-deploy-policy.json', () => {
  const policy = JSON.parse(read('docs/iam-deploy-policy.json')) as {
    Version: string;
    Statement: Statement[];
  };

  it('is a well-formed IAM policy document with unique statement ids', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.length).toBeGreaterThan(0);
    for (const statement of policy.Statement) {
      expect(statement.Effect).toMatch(/^(Allow|Deny)$/);
      expect([statement.Action].flat().every((action) => /^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(action))).toBe(
        true,
      );
      expect([statement.Resource].flat().length).toBeGreaterThan(0);
    }
    const sids = policy.Statement.map((statement) => statement.Sid);
    expect(new Set(sids).size).toBe(sids.length);
  });

  it('allows every AWS call the action makes', () => {
    const calls = awsCallsInSource();
    expect(calls).toContain('autoscaling:StartInstanceRefresh');
    expect(calls.filter((call) => !allows(policy.Statement, call))).toEqual([]);
  });

  it('scopes the refresh actions to the stack’s groups, not every group', () => {
    const refresh = policy.Statement.find((statement) =>
      [statement.Action].flat().includes('autoscaling:StartInstanceRefresh'),
    );
    expect(refresh?.Resource).toMatch(/autoScalingGroupName\/ha-django-\*$/);
  });

  it('lets scale-test send commands only as AWS-RunShellScript, and only to the stack’s instances', () => {
    const sending = policy.Statement.filter((statement) =>
      [statement.Action].flat().includes('ssm:SendCommand'),
    ) as (Statement & { Condition?: Record<string, Record<string, string>> })[];
    expect(sending.map((statement) => statement.Resource).sort()).toEqual([
      'arn:aws:ec2:REGION:ACCOUNT_ID:instance/*',
      'arn:aws:ssm:REGION::document/AWS-RunShellScript',
    ]);
    const instances = sending.find(
      (statement) => statement.Resource === 'arn:aws:ec2:REGION:ACCOUNT_ID:instance/*',
    );
    expect(instances?.Condition).toEqual({
      StringLike: { 'ssm:resourceTag/aws:autoscaling:groupName': 'ha-django-*' },
    });
    expect(policy.Statement.filter((statement) => statement.Sid?.startsWith('ScaleTest')).length).toBe(5);
  });

  it('is the policy the README points to', () => {
    for (const document of [
      'iam-deploy-policy',
      'iam-plan-policy',
      'iam-boundary-policy',
      'iam-trust-deploy-role',
      'iam-trust-deploy-role-pinned',
      'iam-trust-plan-role',
    ]) {
      expect(read('README.md')).toContain(`(docs/${document}.json)`);
    }
  });
});

interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown>; secrets?: Record<string, unknown> } | null>;
  jobs: Record<
    string,
    {
      uses?: string;
      with?: Record<string, unknown>;
      secrets?: Record<string, unknown>;
      steps?: { uses?: string; with?: Record<string, unknown> }[];
    }
  >;
}

const workflowFiles = [
  ...readdirSync(join(ROOT, '.github/workflows')).map((file) => `.github/workflows/${file}`),
  ...readdirSync(join(ROOT, '.github/examples')).map((file) => `.github/examples/${file}`),
];
const workflows = Object.fromEntries(workflowFiles.map((file) => [file, parse(read(file)) as Workflow]));

describe('workflows and examples', () => {
  const reusable = workflows['.github/workflows/deploy.yml'];
  const callInputs = Object.keys(reusable?.on.workflow_call?.inputs ?? {});
  const callSecrets = Object.keys(reusable?.on.workflow_call?.secrets ?? {});

  it('pins every third-party action by a full commit SHA', () => {
    const uses = Object.values(workflows).flatMap((workflow) =>
      Object.values(workflow.jobs).flatMap((job) => [
        job.uses,
        ...(job.steps ?? []).map((step) => step.uses),
      ]),
    );
    const thirdParty = uses.filter(
      (use): use is string =>
        use !== undefined && !use.startsWith('org/ha-django-deploy') && !use.startsWith('./'),
    );
    expect(thirdParty.length).toBeGreaterThan(5);
    expect(thirdParty.filter((use) => !/@[0-9a-f]{40}$/.test(use))).toEqual([]);
  });

  it("runs this action from the workflow's own commit, with inputs it declares", () => {
    const declared = Object.keys(readActionMetadata().inputs);
    for (const job of [reusable?.jobs.plan, reusable?.jobs.deploy, reusable?.jobs['scale-test']]) {
      const steps = job?.steps ?? [];
      const ours = steps.filter((step) => step.uses === './.ha-django-deploy');
      expect(ours).toHaveLength(1);
      // Never a hard-coded ref of this action: it would run whatever that ref points to.
      expect(steps.filter((step) => step.uses?.includes('ha-django-deploy@'))).toEqual([]);
      const checkout = steps.find((step) => step.with?.path === '.ha-django-deploy');
      expect(checkout?.with).toMatchObject({
        repository: '${{ needs.action.outputs.repository }}',
        ref: '${{ needs.action.outputs.sha }}',
        'persist-credentials': false,
      });
      expect(steps.indexOf(checkout ?? {})).toBeLessThan(steps.indexOf(ours[0] ?? {}));
      for (const step of ours)
        expect(Object.keys(step.with ?? {}).filter((name) => !declared.includes(name))).toEqual([]);
    }
  });

  it.each([
    'build-context',
    'dockerfile',
    'build-args',
    'var-files',
    'allow-destroy',
    'wait-timeout-minutes',
    'smoke-check',
    'smoke-path',
    'app-url',
    'pull-username',
  ])('exposes %s to callers and passes it to the action', (name) => {
    expect(callInputs).toContain(name);
    const deploy = (reusable?.jobs.deploy?.steps ?? []).find((step) => step.uses === './.ha-django-deploy');
    expect(deploy?.with?.[name]).toEqual(expect.stringContaining(`inputs.${name}`));
  });

  it.each(workflowFiles.filter((file) => file.startsWith('.github/examples/')))(
    '%s calls the reusable workflow with inputs and secrets it declares',
    (file) => {
      const jobs = Object.values(workflows[file]?.jobs ?? {}).filter((job) =>
        job.uses?.includes('/.github/workflows/deploy.yml@'),
      );
      expect(jobs).toHaveLength(1);
      for (const job of jobs) {
        expect(Object.keys(job.with ?? {}).filter((name) => !callInputs.includes(name))).toEqual([]);
        expect(Object.keys(job.secrets ?? {}).filter((name) => !callSecrets.includes(name))).toEqual([]);
        const required = Object.entries(reusable?.on.workflow_call?.inputs ?? {})
          .filter(([, input]) => (input as { required?: boolean }).required)
          .map(([name]) => name);
        expect(required.filter((name) => !(name in (job.with ?? {})))).toEqual([]);
      }
    },
  );

  it('queues deploys per environment and never cancels one mid-rollout', () => {
    const deploy = reusable?.jobs.deploy as unknown as {
      concurrency: { group: string; 'cancel-in-progress': boolean };
    };
    expect(deploy.concurrency.group).toContain('${{ inputs.environment }}');
    expect(deploy.concurrency['cancel-in-progress']).toBe(false);
  });
});

describe('the README adoption path', () => {
  const readme = read('README.md');
  const usage = readme.slice(readme.indexOf('<!-- usage:start -->'), readme.indexOf('<!-- usage:end -->'));
  const snippet = parse(/```yaml\n([\s\S]*?)```/.exec(usage)?.[1] ?? '') as {
    jobs: Record<
      string,
      { permissions: Record<string, string>; steps: { uses: string; with?: Record<string, unknown> }[] }
    >;
  };
  const job = Object.values(snippet.jobs)[0];

  it('shows a whole job: permissions, checkout, Terraform without its wrapper, OIDC credentials, the action', () => {
    expect(job?.permissions).toMatchObject({ contents: 'read', 'id-token': 'write' });
    const uses = (job?.steps ?? []).map((step) => step.uses.split('@')[0]);
    expect(uses).toEqual([
      'actions/checkout',
      'hashicorp/setup-terraform',
      'aws-actions/configure-aws-credentials',
      'org/ha-django-deploy',
    ]);
    expect(job?.steps[1]?.with?.terraform_wrapper).toBe(false);
    expect(job?.steps[2]?.with).toHaveProperty('role-to-assume');
    const declared = Object.keys(readActionMetadata().inputs);
    expect(Object.keys(job?.steps[3]?.with ?? {}).filter((name) => !declared.includes(name))).toEqual([]);
    expect(usage).toMatch(/`org` below .* is the GitHub owner/s);
  });

  it('pins the same action releases as the reusable workflow', () => {
    const workflowUses = new Set(
      Object.values(workflows['.github/workflows/deploy.yml']?.jobs ?? {}).flatMap((workflowJob) =>
        (workflowJob.steps ?? []).map((step) => step.uses),
      ),
    );
    for (const step of (job?.steps ?? []).slice(0, 3)) expect(workflowUses).toContain(step.uses);
  });

  it('gives a local run that works: .env.example read by node --env-file into inputs the config accepts', () => {
    const printed = spawnSync(
      process.execPath,
      ['--env-file=.env.example', '-e', 'console.log(JSON.stringify(process.env))'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(printed.status).toBe(0);
    const env = JSON.parse(printed.stdout) as Record<string, string>;
    const config = parseConfig((name) => env[`INPUT_${name.toUpperCase()}`] ?? '', env);
    expect(config).toMatchObject({
      command: 'plan',
      aws: { region: 'eu-west-1' },
      terraform: { backendConfig: { bucket: 'acme-terraform-state', key: 'web/dev.tfstate' } },
    });
    const scripts = JSON.parse(read('package.json')) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(scripts.scripts.local).toBe('node --env-file=.env dist/index.js');
    expect(scripts.scripts['local-action']).toBe('local-action run . src/main.ts .env');
    expect(scripts.devDependencies).toHaveProperty('@github/local-action');
    expect(readme).toContain('npm run local');
  });
});

describe("the deploy job's build context check", () => {
  const deploySteps = (
    parse(read('.github/workflows/deploy.yml')) as {
      jobs: Record<string, { steps?: { name?: string; run?: string }[] } | undefined>;
    }
  ).jobs.deploy?.steps;
  const script = deploySteps?.find((step) => step.name === "Check the app's build context")?.run ?? '';
  let repo: string;

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'build-context-'));
    mkdirSync(join(repo, 'web'));
    writeFileSync(join(repo, 'web/Dockerfile'), 'FROM scratch\n');
    mkdirSync(join(repo, 'empty'));
  });
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  function check(context: string, dockerfile = '') {
    const result = spawnSync('bash', ['-e', '-c', script], {
      cwd: repo,
      env: { PATH: process.env.PATH, BUILD_CONTEXT: context, DOCKERFILE: dockerfile },
      encoding: 'utf8',
    });
    return { status: result.status, output: result.stdout };
  }

  it('passes an existing context with its Dockerfile', () => {
    expect(check('web')).toEqual({ status: 0, output: 'Building web with web/Dockerfile\n' });
  });

  it.each([
    ['services/web', '', "::error::build-context 'services/web' is not a directory of this repository"],
    ['empty', '', "::error::No Dockerfile at 'empty/Dockerfile'"],
    ['web', 'docker/Dockerfile.prod', "::error::No Dockerfile at 'docker/Dockerfile.prod'"],
  ])('refuses context %s (dockerfile %j) before anything is built', (context, dockerfile, message) => {
    const result = check(context, dockerfile);
    expect(result.status).toBe(1);
    expect(result.output).toContain(message);
    expect(result.output).toContain('Nothing was built or changed.');
  });
});
