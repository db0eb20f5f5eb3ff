/**
 * The IAM documents a team copies from docs/: linted by parliament (a real IAM linter, from PyPI),
 * and evaluated against the escalation paths of issue 11 with a small evaluator of IAM's documented
 * rules (an explicit Deny wins, then any Allow whose Action, Resource and every Condition match;
 * `*` and `?` wildcards; a condition key missing from the request fails its operator, except the
 * negated ones). Only the condition operators these documents use are implemented; an unknown one
 * fails the test rather than being guessed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

const ROOT = join(__dirname, '../..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/ha-django-boundary`;

type Values = string | string[];
interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: Values;
  Resource?: Values;
  Principal?: Record<string, Values>;
  Condition?: Record<string, Record<string, Values>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

/** A document with its placeholders filled the way the README tells users to. */
function policy(name: string): Policy {
  const text = readFileSync(join(ROOT, 'docs', `${name}.json`), 'utf8')
    .replace(/ACCOUNT_ID/g, ACCOUNT)
    .replace(/REGION/g, REGION)
    .replace(/STATE_BUCKET/g, 'acme-tfstate')
    .replace(/STATE_KEY/g, 'web/prod.tfstate')
    .replace(/OWNER\/REPO/g, 'acme/shop');
  return JSON.parse(text) as Policy;
}

function wildcard(pattern: string, caseInsensitive = false): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

const list = (values: Values | undefined): string[] => (values === undefined ? [] : [values].flat());

type Context = Record<string, string | undefined>;

function conditionHolds(operator: string, key: string, expected: string[], context: Context): boolean {
  const actual = context[key];
  const negated = operator.includes('Not');
  if (actual === undefined) return negated;
  const test: Record<string, (value: string) => boolean> = {
    StringEquals: (value) => value === actual,
    StringNotEquals: (value) => value !== actual,
    StringLike: (value) => wildcard(value).test(actual),
    ArnEquals: (value) => value === actual,
    ArnNotEquals: (value) => value !== actual,
    ArnLike: (value) => wildcard(value).test(actual),
    Bool: (value) => value === actual,
  };
  const check = test[operator];
  if (!check) throw new Error(`condition operator ${operator} is not implemented by this evaluator`);
  return negated ? expected.every(check) : expected.some(check);
}

function matches(statement: Statement, action: string, resource: string, context: Context): boolean {
  return (
    list(statement.Action).some((pattern) => wildcard(pattern, true).test(action)) &&
    list(statement.Resource).some((pattern) => wildcard(pattern).test(resource)) &&
    Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, list(values), context)),
    )
  );
}

function allowed(document: Policy, action: string, resource: string, context: Context = {}): boolean {
  const request = { 'aws:RequestedRegion': REGION, ...context };
  const applicable = document.Statement.filter((statement) => matches(statement, action, resource, request));
  return applicable.some((s) => s.Effect === 'Allow') && !applicable.some((s) => s.Effect === 'Deny');
}

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ec2 = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;

describe('IAM documents linted by parliament', () => {
  it('has no finding that scripts/lint-iam.py does not explain', () => {
    const lint = spawnSync(join(ROOT, '.venv-tools/bin/python'), [join(ROOT, 'scripts/lint-iam.py')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(`${lint.stdout}${lint.stderr}`).toMatch(/parliament: 3 documents, 0 findings/);
    expect(lint.status).toBe(0);
  });
});

describe('the deploy policy grants no escalation path', () => {
  const deploy = policy('iam-deploy-policy');
  const web = role('ha-django-prod-web-20250101');

  it('creates and changes the stack’s roles only under the permissions boundary', () => {
    for (const action of [
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:PutRolePermissionsBoundary',
    ]) {
      expect([action, allowed(deploy, action, web, { 'iam:PermissionsBoundary': BOUNDARY })]).toEqual([
        action,
        true,
      ]);
      expect([action, allowed(deploy, action, web)]).toEqual([action, false]);
      const otherBoundary = `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`;
      expect([action, allowed(deploy, action, web, { 'iam:PermissionsBoundary': otherBoundary })]).toEqual([
        action,
        false,
      ]);
    }
  });

  it('attaches only the SSM managed policy, and only under the boundary', () => {
    const ssmCore = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const bounded = { 'iam:PermissionsBoundary': BOUNDARY };
    expect(allowed(deploy, 'iam:AttachRolePolicy', web, { ...bounded, 'iam:PolicyARN': ssmCore })).toBe(true);
    expect(allowed(deploy, 'iam:AttachRolePolicy', web, { ...bounded, 'iam:PolicyARN': admin })).toBe(false);
    expect(allowed(deploy, 'iam:AttachRolePolicy', web, { 'iam:PolicyARN': ssmCore })).toBe(false);
  });

  it('cannot remove the boundary, rewrite a trust policy, or make policies, users or keys', () => {
    for (const action of [
      'iam:DeleteRolePermissionsBoundary',
      'iam:UpdateAssumeRolePolicy',
      'iam:CreatePolicy',
      'iam:CreatePolicyVersion',
      'iam:SetDefaultPolicyVersion',
      'iam:CreateUser',
      'iam:CreateAccessKey',
      'iam:AttachUserPolicy',
      'iam:PutGroupPolicy',
    ]) {
      for (const resource of [web, BOUNDARY, role('anything'), `arn:aws:iam::${ACCOUNT}:user/someone`]) {
        expect([
          action,
          resource,
          allowed(deploy, action, resource, { 'iam:PermissionsBoundary': BOUNDARY }),
        ]).toEqual([action, resource, false]);
      }
    }
  });

  it('touches no role outside the stack’s names, and assumes none', () => {
    const admin = role('OrganizationAccountAccessRole');
    for (const action of [
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'iam:AttachRolePolicy',
      'iam:DeleteRole',
      'iam:TagRole',
    ]) {
      expect(allowed(deploy, action, admin, { 'iam:PermissionsBoundary': BOUNDARY })).toBe(false);
    }
    expect(allowed(deploy, 'sts:AssumeRole', web)).toBe(false);
    expect(allowed(deploy, 'sts:AssumeRole', admin)).toBe(false);
  });

  it('passes only the instance role, only to EC2', () => {
    expect(allowed(deploy, 'iam:PassRole', web, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe(true);
    for (const service of [
      'lambda.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'cloudformation.amazonaws.com',
    ]) {
      expect(allowed(deploy, 'iam:PassRole', web, { 'iam:PassedToService': service })).toBe(false);
    }
    expect(
      allowed(deploy, 'iam:PassRole', role('admin'), { 'iam:PassedToService': 'ec2.amazonaws.com' }),
    ).toBe(false);
    const flowLogs = role('ha-django-prod-flow-20250101');
    expect(allowed(deploy, 'iam:PassRole', flowLogs, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe(
      false,
    );
    expect(
      allowed(deploy, 'iam:PassRole', flowLogs, { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' }),
    ).toBe(true);
  });

  it('writes EC2 resources only when they carry the stack’s tag, and nothing region-wide', () => {
    const tagged = { 'aws:ResourceTag/Project': 'ha-django' };
    expect(allowed(deploy, 'ec2:DeleteVpc', ec2('vpc/vpc-1'), tagged)).toBe(true);
    expect(allowed(deploy, 'ec2:DeleteVpc', ec2('vpc/vpc-1'))).toBe(false);
    expect(
      allowed(deploy, 'ec2:AuthorizeSecurityGroupIngress', ec2('security-group/sg-1'), {
        'aws:ResourceTag/Project': 'other',
      }),
    ).toBe(false);
    expect(allowed(deploy, 'ec2:CreateVpc', ec2('vpc/*'), { 'aws:RequestTag/Project': 'ha-django' })).toBe(
      true,
    );
    expect(allowed(deploy, 'ec2:CreateVpc', ec2('vpc/*'))).toBe(false);
    for (const action of [
      'ec2:TerminateInstances',
      'ec2:CreateVpcPeeringConnection',
      'ec2:ModifyInstanceAttribute',
      'ec2:CreateKeyPair',
    ]) {
      expect([action, allowed(deploy, action, ec2('instance/i-1'), tagged)]).toEqual([action, false]);
    }
    expect(
      allowed(deploy, 'ec2:DeleteVpc', `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-1`, {
        ...tagged,
        'aws:RequestedRegion': 'us-east-1',
      }),
    ).toBe(false);
  });

  it('changes only the stack’s load balancer, target group and Auto Scaling group', () => {
    const elb = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
    expect(
      allowed(
        deploy,
        'elasticloadbalancing:DeleteLoadBalancer',
        `${elb}:loadbalancer/app/ha-django-prod-alb/0f`,
      ),
    ).toBe(true);
    expect(
      allowed(deploy, 'elasticloadbalancing:DeleteLoadBalancer', `${elb}:loadbalancer/app/payments/0f`),
    ).toBe(false);
    expect(allowed(deploy, 'elasticloadbalancing:ModifyListener', `${elb}:listener/app/payments/0f/1a`)).toBe(
      false,
    );
    const asg = (name: string) =>
      `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:1-2:autoScalingGroupName/${name}`;
    expect(allowed(deploy, 'autoscaling:DeleteAutoScalingGroup', asg('ha-django-prod-web'))).toBe(true);
    expect(allowed(deploy, 'autoscaling:DeleteAutoScalingGroup', asg('payments'))).toBe(false);
    expect(allowed(deploy, 'autoscaling:StartInstanceRefresh', asg('payments'))).toBe(false);
  });

  it('manages only the stack’s database, and reads no secret value', () => {
    const rds = (resource: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:${resource}`;
    expect(allowed(deploy, 'rds:DeleteDBInstance', rds('db:ha-django-prod-db-0123'))).toBe(true);
    expect(allowed(deploy, 'rds:CreateDBSnapshot', rds('snapshot:ha-django-prod-db-final'))).toBe(true);
    expect(allowed(deploy, 'rds:DeleteDBInstance', rds('db:payments'))).toBe(false);
    expect(allowed(deploy, 'rds:ModifyDBParameterGroup', rds('pg:payments'))).toBe(false);
    const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;
    expect(allowed(deploy, 'secretsmanager:CreateSecret', secret('rds!db-0123-AbCdEf'))).toBe(true);
    expect(allowed(deploy, 'secretsmanager:CreateSecret', secret('payments/api-key-AbCdEf'))).toBe(false);
    for (const action of ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'])
      expect([action, allowed(deploy, action, secret('rds!db-0123-AbCdEf'))]).toEqual([action, false]);
  });

  it('writes the state object and its lock, and no other object', () => {
    const object = (key: string) => `arn:aws:s3:::acme-tfstate/${key}`;
    expect(allowed(deploy, 's3:PutObject', object('web/prod.tfstate'))).toBe(true);
    expect(allowed(deploy, 's3:DeleteObject', object('web/prod.tfstate.tflock'))).toBe(true);
    expect(allowed(deploy, 's3:DeleteObject', object('web/prod.tfstate'))).toBe(false);
    expect(allowed(deploy, 's3:PutObject', object('other/prod.tfstate'))).toBe(false);
  });
});

describe('the plan policy is read-only', () => {
  const plan = policy('iam-plan-policy');

  it('allows only reads (Describe, Get, List) and the random password of the ephemeral key', () => {
    const actions = plan.Statement.flatMap((statement) => list(statement.Action));
    expect(plan.Statement.every((statement) => statement.Effect === 'Allow')).toBe(true);
    expect(actions.filter((action) => !/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/.test(action))).toEqual([]);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('reads the state and never writes it or its lock (plan runs with -lock=false)', () => {
    expect(allowed(plan, 's3:GetObject', 'arn:aws:s3:::acme-tfstate/web/prod.tfstate')).toBe(true);
    for (const key of ['web/prod.tfstate', 'web/prod.tfstate.tflock']) {
      for (const action of ['s3:PutObject', 's3:DeleteObject']) {
        expect(allowed(plan, action, `arn:aws:s3:::acme-tfstate/${key}`)).toBe(false);
      }
    }
    expect(allowed(plan, 'dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/locks`)).toBe(
      false,
    );
  });
});

describe('the trust policies and the boundary', () => {
  it.each([
    ['iam-trust-plan-role', 'repo:acme/shop:pull_request'],
    ['iam-trust-deploy-role', 'repo:acme/shop:environment:production'],
    [
      'iam-trust-deploy-role-pinned',
      'repo:acme/shop:environment:production:job_workflow_ref:org/ha-django-deploy/.github/workflows/deploy.yml@refs/tags/v1',
    ],
  ])('%s trusts only GitHub OIDC tokens for %s', (name, subject) => {
    const [statement, ...others] = policy(name).Statement;
    expect(others).toEqual([]);
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': subject,
        },
      },
    });
    expect(Object.keys(statement?.Condition ?? {})).toEqual(['StringEquals']);
  });

  it('the pinned deploy trust names this reusable workflow, in the subject the README has GitHub build', () => {
    const subject = policy('iam-trust-deploy-role-pinned').Statement[0] as Statement & {
      Condition: { StringEquals: Record<string, string> };
    };
    const pinned = subject.Condition.StringEquals['token.actions.githubusercontent.com:sub'] ?? '';
    // GitHub joins the template's claims in order: repo:<repo>:<context>:job_workflow_ref:<ref>.
    const [, workflowPath] =
      /:job_workflow_ref:org\/ha-django-deploy\/(.+)@refs\/tags\/v\d+$/.exec(pinned) ?? [];
    expect(existsSync(join(ROOT, workflowPath ?? 'missing'))).toBe(true);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ')).toContain(
      "-f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'",
    );
  });

  it('the boundary allows no IAM, STS or write outside the app’s parameters and logs', () => {
    const boundary = policy('iam-boundary-policy');
    const actions = boundary.Statement.flatMap((statement) => list(statement.Action));
    expect(actions.filter((action) => /^(iam|sts|ec2|s3|kms|organizations):/.test(action))).toEqual([]);
    expect(
      allowed(
        boundary,
        'ssm:GetParameter',
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/ha-django/prod/DJANGO_SECRET_KEY`,
      ),
    ).toBe(true);
    expect(
      allowed(boundary, 'ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/payments/db`),
    ).toBe(false);
    // The database's master secret, which RDS names rds!db-...; the role's own policy names its ARN.
    const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;
    expect(allowed(boundary, 'secretsmanager:GetSecretValue', secret('rds!db-0123-AbCdEf'))).toBe(true);
    expect(allowed(boundary, 'secretsmanager:GetSecretValue', secret('payments/api-key-AbCdEf'))).toBe(false);
    expect(allowed(boundary, 'secretsmanager:PutSecretValue', secret('rds!db-0123-AbCdEf'))).toBe(false);
  });

  it('the stack sets the boundary on every role it creates', async () => {
    const files = readdirSync(join(ROOT, 'terraform', 'modules', 'web-tier')).filter((file) =>
      file.endsWith('.tf'),
    );
    const roles: [string, unknown][] = [];
    for (const file of files) {
      const parsed = (await parse(
        file,
        readFileSync(join(ROOT, 'terraform', 'modules', 'web-tier', file), 'utf8'),
      )) as {
        resource?: { aws_iam_role?: Record<string, [{ permissions_boundary?: unknown }]> };
      };
      for (const [name, [body]] of Object.entries(parsed.resource?.aws_iam_role ?? {})) {
        roles.push([name, body.permissions_boundary]);
      }
    }
    expect(roles.length).toBeGreaterThanOrEqual(2);
    expect(roles.filter(([, boundary]) => boundary !== '${var.permissions_boundary_arn}')).toEqual([]);
  });
});
