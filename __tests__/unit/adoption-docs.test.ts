/**
 * What a team copies when adopting the action: the IAM policy, the reusable workflow and the
 * examples. Each must match the code: every AWS call allowed, every input real, every action pinned.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readActionMetadata } from '../../scripts/lib/actionDocs';

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

describe('the IAM policy in docs/iam-policy.json', () => {
  const policy = JSON.parse(read('docs/iam-policy.json')) as { Version: string; Statement: Statement[] };

  it('is a well-formed IAM policy document with unique statement ids', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.length).toBeGreaterThan(0);
    for (const statement of policy.Statement) {
      expect(statement.Effect).toMatch(/^(Allow|Deny)$/);
      expect([statement.Action].flat().every((action) => /^[a-z0-9-]+:[A-Za-z*]+$/.test(action))).toBe(true);
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
    expect(read('README.md')).toContain('(docs/iam-policy.json)');
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
      (use): use is string => use !== undefined && !use.startsWith('org/ha-django-deploy'),
    );
    expect(thirdParty.length).toBeGreaterThan(5);
    expect(thirdParty.filter((use) => !/@[0-9a-f]{40}$/.test(use))).toEqual([]);
  });

  it('calls this action with inputs it declares, by full name (never ./ in a reusable workflow)', () => {
    const declared = Object.keys(readActionMetadata().inputs);
    const steps = Object.values(reusable?.jobs ?? {}).flatMap((job) => job.steps ?? []);
    const ours = steps.filter((step) => step.uses?.startsWith('org/ha-django-deploy@'));
    expect(ours).toHaveLength(3);
    expect(steps.some((step) => step.uses?.startsWith('./'))).toBe(false);
    for (const step of ours)
      expect(Object.keys(step.with ?? {}).filter((name) => !declared.includes(name))).toEqual([]);
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
