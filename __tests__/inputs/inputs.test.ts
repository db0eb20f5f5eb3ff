/**
 * Every input of action.yml, one table each: the values accepted and what the config then holds,
 * the values refused and the exact message (the input's name first, then what was wrong and what is
 * accepted). Each row sets that one input, beside a valid set of inputs of a command that reads it.
 * Action.yml and the tables are compared, so a new input cannot come without its table. Rules
 * between inputs (time budgets, combinations per command) are in the other tests of this folder.
 */
import { parseConfig, type Config, type ConfigPaths } from '../../src/inputs';
import { readActionMetadata } from '../../scripts/lib/actionDocs';
import { areaOf, configFor } from '../support/config';
import { inputsFrom } from '../support/inputs';
import { configRejection } from '../support/rejection';

const SHA = 'a'.repeat(40);
const DIGEST = `sha256:${'b'.repeat(64)}`;
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';
const TG_API = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef';
const PULL_TOKEN = 'dckr_pat_read-only-0123456789';
const PUSH = { GITHUB_SHA: SHA, GITHUB_WORKSPACE: '/work/repo', GITHUB_EVENT_NAME: 'push' };
/** A workspace of directories, plus files named like tfvars or Dockerfiles; no symlinks. */
const PATHS: ConfigPaths = {
  workspace: '/work/repo',
  bundledTerraform: '/action/terraform',
  inspect: (path) => ({ real: path, kind: /(\.tfvars|Dockerfile)$/.test(path) ? 'file' : 'directory' }),
};

interface Command {
  values: Record<string, string>;
  env: NodeJS.ProcessEnv;
}

const DEPLOY: Command = {
  values: {
    'aws-region': 'eu-west-1',
    'image-repository': 'acme/web',
    'dockerhub-username': 'acme-ci',
    'dockerhub-token': 'dckr_pat_secret',
    'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
  },
  env: PUSH,
};
const PLAN: Command = {
  values: {
    command: 'plan',
    'aws-region': 'eu-west-1',
    'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
    'github-token': 'ghs_token',
  },
  env: { ...PUSH, GITHUB_EVENT_NAME: 'pull_request' },
};
const ROLLOUT: Command = {
  values: { command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web-asg' },
  env: {},
};
const SCALE_TEST: Command = {
  values: { command: 'scale-test', 'aws-region': 'eu-west-1', 'asg-name': 'web' },
  env: {},
};

/** A value, and inputs this one row needs beside it. */
type Accepted = [value: string, holds: unknown, alongside?: Record<string, string>];
type Rejected = [value: string, message: string];

interface InputTable {
  command: Command;
  /** Inputs every row of the table needs beside this one. */
  alongside?: Record<string, string>;
  /** Where the config holds the parsed value. */
  holds: (config: Config) => unknown;
  accepted: Accepted[];
  rejected: Rejected[];
}

const BOOLEAN = (input: string, value: string): Rejected => [
  value,
  `${input}: "${value}"; expected true or false.`,
];
const OUTSIDE_WORKSPACE = (input: string, value: string): Rejected => [
  value,
  `${input}: "${value}"; resolves outside the workspace (/work/repo); expected a path inside the repository checkout, symlinks included.`,
];
const NOT_A_URL = (input: string, value: string): Rejected => [
  value,
  `${input}: "${value}"; expected an http:// or https:// URL with a host and an optional port (1-65535) and path, without user:password, query or fragment.`,
];
const whole = (input: string, from: number, to: number, value: string): Rejected => [
  value,
  `${input}: "${value}"; expected a whole number from ${from} to ${to}.`,
];

const TABLES: Record<string, InputTable> = {
  command: {
    command: DEPLOY,
    holds: (config) => config.command,
    accepted: [
      ['', 'deploy'],
      ['deploy', 'deploy'],
      // plan, rollout and scale-test: every table below that reads an input of theirs.
    ],
    rejected: [
      ['destroy', 'command: "destroy"; expected one of deploy, plan, rollout, scale-test, preflight.'],
      ['Deploy', 'command: "Deploy"; expected one of deploy, plan, rollout, scale-test, preflight.'],
    ],
  },
  image: {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'image').existing,
    accepted: [
      ['', undefined],
      [`acme/web@${DIGEST}`, { registry: 'docker.io', path: 'acme/web', digest: DIGEST }],
      ['acme/web:v1', { registry: 'docker.io', path: 'acme/web', tag: 'v1' }],
    ],
    rejected: [
      [
        'acme/web',
        'image: "acme/web": name the image to deploy by tag (repo:tag) or digest (repo@sha256:...); "latest" is never assumed.',
      ],
      [
        'acme/other:v1',
        'image: "docker.io/acme/other"; is outside image-repository (docker.io/acme/web); deploy images of that repository, or set allow-image-outside-repository: true to deploy this one (it is then pulled without the registry credentials).',
      ],
    ],
  },
  'image-repository': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).image.build?.repository,
    accepted: [
      ['acme/web', { registry: 'docker.io', path: 'acme/web' }],
      ['ghcr.io/acme/web', { registry: 'ghcr.io', path: 'acme/web' }],
    ],
    rejected: [
      [
        '',
        'image-repository: missing; deploy builds an image when image is empty: name the repository to push to, e.g. acme/web.',
      ],
      [
        'acme/web:latest',
        'image-repository: "acme/web:latest": give the repository without a tag or digest; the commit SHA is the tag, add others with extra-tags.',
      ],
      [
        'Acme/Web',
        'image-repository: "Acme/Web" is not a valid image name: repository path components are lower-case letters and digits, separated by ".", "_", "__" or "-" (expected [registry/]namespace/repository[:tag][@sha256:<64 hex>]).',
      ],
    ],
  },
  'dockerhub-username': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).image.build?.credentials.username,
    accepted: [['acme.ci@example', 'acme.ci@example']],
    rejected: [
      ['', 'dockerhub-username: missing; set both dockerhub-username and dockerhub-token, or neither.'],
      ['acme ci', 'dockerhub-username: "acme ci"; expected a registry user name (letters, digits, . _ @ -).'],
    ],
  },
  'dockerhub-token': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).image.build?.credentials.password,
    accepted: [['dckr_pat_other', 'dckr_pat_other']],
    rejected: [
      ['', 'dockerhub-token: missing; set both dockerhub-username and dockerhub-token, or neither.'],
    ],
  },
  'build-context': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).image.build?.context,
    accepted: [
      ['', '/work/repo/app'],
      ['web', '/work/repo/web'],
    ],
    rejected: [
      OUTSIDE_WORKSPACE('build-context', '../elsewhere'),
      OUTSIDE_WORKSPACE('build-context', '/etc'),
    ],
  },
  dockerfile: {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).image.build?.dockerfile,
    accepted: [
      ['', undefined],
      ['app/Dockerfile', '/work/repo/app/Dockerfile'],
    ],
    rejected: [
      OUTSIDE_WORKSPACE('dockerfile', '../Dockerfile'),
      ['app', 'dockerfile: "app"; is not a file; expected a file inside the workspace.'],
    ],
  },
  'extra-tags': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).image.build?.extraTags,
    accepted: [
      ['', []],
      ['v1, stable', ['v1', 'stable']],
      ['v1\nstable\n', ['v1', 'stable']],
    ],
    rejected: [
      [
        '-bad',
        'extra-tags: "-bad" is not a valid image tag: up to 128 letters, digits, "_", "." and "-", not starting with "." or "-".',
      ],
    ],
  },
  'build-args': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).image.build?.buildArgs,
    accepted: [
      ['', {}],
      ['A=1\nB=two=2', { A: '1', B: 'two=2' }],
    ],
    rejected: [
      [
        'not a pair',
        'build-args: Invalid build-args: line 1 does not start with a NAME (letters, digits and "_") followed by =value.',
      ],
      [
        '1X=a',
        'build-args: Invalid build-args: line 1 does not start with a NAME (letters, digits and "_") followed by =value.',
      ],
    ],
  },
  'allow-image-outside-repository': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'image').existing,
    accepted: [
      [
        'true',
        { registry: 'docker.io', path: 'library/python', digest: DIGEST },
        { image: `docker.io/library/python@${DIGEST}` },
      ],
    ],
    rejected: [BOOLEAN('allow-image-outside-repository', 'yes')],
  },
  'pull-token': {
    command: PLAN,
    alongside: { 'pull-username': 'acme-pull' },
    holds: (config) => areaOf(config, 'image').instancePull,
    accepted: [[PULL_TOKEN, { username: 'acme-pull', password: PULL_TOKEN }]],
    rejected: [
      [
        '',
        'pull-token: missing; pull-username (acme-pull) is set: set pull-token too, or neither for a public image.',
      ],
      ['a b', 'pull-token: contains whitespace; paste the token alone (from secrets).'],
    ],
  },
  'pull-username': {
    command: PLAN,
    alongside: { 'pull-token': PULL_TOKEN },
    holds: (config) => areaOf(config, 'image').instancePull,
    accepted: [['acme-pull', { username: 'acme-pull', password: PULL_TOKEN }]],
    rejected: [
      [
        '',
        'pull-username: missing; pull-token needs its registry user: set pull-username (or dockerhub-username).',
      ],
      ['acme pull', 'pull-username: "acme pull"; expected a registry user name (letters, digits, . _ @ -).'],
    ],
  },
  'working-directory': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'terraform').workingDirectory,
    accepted: [
      ['', '/action/terraform'],
      ['infra', '/work/repo/infra'],
    ],
    rejected: [OUTSIDE_WORKSPACE('working-directory', '../infra')],
  },
  'backend-config': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'terraform').backendConfig,
    accepted: [
      ['bucket=b\nkey=k\nregion=eu-west-1', { bucket: 'b', key: 'k', region: 'eu-west-1' }],
      ['bucket=b\nkey=k', { bucket: 'b', key: 'k' }],
    ],
    rejected: [
      [
        '',
        'backend-config: missing; the bundled stack keeps its state in S3 and needs bucket and key: e.g. bucket=acme-tfstate, key=web/prod.tfstate, region=eu-west-1.',
      ],
      [
        'bucket',
        'backend-config: line 1 is not key=value with the key being a backend setting such as bucket (the line is not repeated here: it may hold a secret).',
      ],
      [
        'bucket=b',
        'backend-config: the bundled stack keeps its state in S3 and needs key: e.g. bucket=acme-tfstate, key=web/prod.tfstate, region=eu-west-1.',
      ],
    ],
  },
  'terraform-vars': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'terraform').variables,
    accepted: [
      ['', {}],
      ['instance_type=t3.small\nmin_size=2', { instance_type: 't3.small', min_size: '2' }],
    ],
    rejected: [
      [
        'image=acme/web:v1',
        'terraform-vars: the action sets image itself; use the image input to deploy a given image.',
      ],
      [
        'no pair',
        'terraform-vars: line 1 is not key=value with the key being a Terraform variable name (the line is not repeated here: it may hold a secret).',
      ],
      [
        '1x=1',
        'terraform-vars: line 1 is not key=value with the key being a Terraform variable name (the line is not repeated here: it may hold a secret).',
      ],
    ],
  },
  'var-files': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'terraform').varFiles,
    accepted: [
      ['', []],
      ['prod.tfvars\nshared/common.tfvars', ['/work/repo/prod.tfvars', '/work/repo/shared/common.tfvars']],
    ],
    rejected: [
      OUTSIDE_WORKSPACE('var-files', '../prod.tfvars'),
      ['infra', 'var-files: "infra"; is not a file; expected a file inside the workspace.'],
    ],
  },
  'lock-timeout': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'terraform').lockTimeout,
    accepted: [
      ['', '5m'],
      ['30s', '30s'],
      ['1h', '1h'],
    ],
    rejected: ['soon', '5', '-1m'].map((value): Rejected => [
      value,
      `lock-timeout: "${value}"; expected a Terraform duration such as 30s, 5m or 1h.`,
    ]),
  },
  'allow-destroy': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'terraform').allowDestroy,
    accepted: [
      ['', false],
      ['true', true],
      ['false', false],
    ],
    rejected: [BOOLEAN('allow-destroy', 'yes')],
  },
  'protected-resource-types': {
    command: DEPLOY,
    holds: (config) => areaOf(config, 'terraform').protectedResourceTypes,
    accepted: [
      [
        '',
        [
          'aws_vpc',
          'aws_subnet',
          'aws_lb',
          'aws_lb_target_group',
          'aws_autoscaling_group',
          'aws_db_instance',
        ],
      ],
      ['aws_db_instance, aws_s3_bucket', ['aws_db_instance', 'aws_s3_bucket']],
    ],
    rejected: [
      [
        'aws_db_instance,AWS_LB',
        'protected-resource-types: "AWS_LB"; expected Terraform resource types such as aws_vpc.',
      ],
    ],
  },
  'comment-on-pr': {
    command: PLAN,
    holds: (config) => areaOf(config, 'github').commentOnPr,
    accepted: [
      ['', true],
      ['false', false],
    ],
    rejected: [BOOLEAN('comment-on-pr', 'no')],
  },
  'github-token': {
    command: PLAN,
    holds: (config) => areaOf(config, 'github').token,
    accepted: [['ghs_other', 'ghs_other']],
    rejected: [
      [
        '',
        'github-token: missing; commenting the plan calls the GitHub API: pass github-token: ${{ github.token }}.',
      ],
    ],
  },
  'require-approved-plan': {
    command: DEPLOY,
    alongside: { 'github-token': 'ghs_token' },
    holds: (config) => areaOf(config, 'github').requireApprovedPlan,
    accepted: [
      ['', false],
      ['true', true],
    ],
    rejected: [BOOLEAN('require-approved-plan', 'maybe')],
  },
  'aws-region': {
    command: ROLLOUT,
    holds: (config) => config.aws.region,
    accepted: [
      ['us-east-1', 'us-east-1'],
      ['us-gov-west-1', 'us-gov-west-1'],
    ],
    rejected: [
      ['', 'aws-region: missing; set the input or AWS_REGION, e.g. eu-west-1.'],
      ['mars-1', 'aws-region: "mars-1"; expected an AWS region code such as eu-west-1 or us-gov-west-1.'],
      [
        'EU-WEST-1',
        'aws-region: "EU-WEST-1"; expected an AWS region code such as eu-west-1 or us-gov-west-1.',
      ],
    ],
  },
  'aws-endpoint-url': {
    command: ROLLOUT,
    holds: (config) => config.aws.endpointUrl,
    accepted: [
      ['', undefined],
      ['http://127.0.0.1:4566', 'http://127.0.0.1:4566'],
    ],
    rejected: [NOT_A_URL('aws-endpoint-url', 'localhost:5000'), NOT_A_URL('aws-endpoint-url', 'ftp://x')],
  },
  'asg-name': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.asgName,
    accepted: [
      ['web-asg', 'web-asg'],
      ['web asg (prod)', 'web asg (prod)'],
    ],
    rejected: [
      ['', 'asg-name: missing; expected the Auto Scaling group name (not its ARN), 1-255 characters.'],
      [
        'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web',
        'asg-name: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web"; expected the Auto Scaling group name (not its ARN), 1-255 characters.',
      ],
      [
        'x'.repeat(256),
        `asg-name: "${'x'.repeat(120)}…"; expected the Auto Scaling group name (not its ARN), 1-255 characters.`,
      ],
    ],
  },
  'target-group-arn': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.targetGroupArns,
    accepted: [
      ['', []],
      [TG, [TG]],
      [`${TG},\n${TG_API}`, [TG, TG_API]],
    ],
    rejected: ['arn:bad', 'web'].map((value): Rejected => [
      value,
      `target-group-arn: "${value}"; expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex id>, or leave empty to use the group’s own target groups.`,
    ]),
  },
  'launch-template-version': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.launchTemplateVersion,
    accepted: [
      ['', undefined],
      ['3', 3],
    ],
    rejected: [
      ...['$Latest', '$Default'].map((value): Rejected => [
        value,
        `launch-template-version: "${value}"; expected a version number: AWS cannot roll back a refresh to $Latest or $Default (IrreversibleInstanceRefresh); leave empty to use the latest version’s number.`,
      ]),
      whole('launch-template-version', 1, Number.MAX_SAFE_INTEGER, '0'),
      whole('launch-template-version', 1, Number.MAX_SAFE_INTEGER, 'v3'),
    ],
  },
  'min-healthy-percentage': {
    command: ROLLOUT,
    // AWS allows at most 100 points between the two: a ceiling of 150 admits 50 to 100.
    alongside: { 'max-healthy-percentage': '150' },
    holds: (config) => configFor('rollout', config).rollout.minHealthyPercentage,
    accepted: [
      ['', 100],
      ['90', 90],
      ['50', 50],
    ],
    rejected: ['101', 'x', '-1', '9.5'].map((value) => whole('min-healthy-percentage', 0, 100, value)),
  },
  'max-healthy-percentage': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.maxHealthyPercentage,
    accepted: [
      ['', 200],
      ['150', 150],
      ['100', 100, { 'min-healthy-percentage': '90' }],
      // AWS's one-at-a-time mode, launching before terminating.
      ['100', 100, { 'min-healthy-percentage': '100' }],
    ],
    rejected: [
      whole('max-healthy-percentage', 100, 200, '99'),
      whole('max-healthy-percentage', 100, 200, '201'),
    ],
  },
  'instance-warmup': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.instanceWarmupSeconds,
    accepted: [
      ['', undefined],
      ['0', 0],
      ['300', 300],
    ],
    rejected: ['-5', '1.5', 'x', '86401'].map((value) => whole('instance-warmup', 0, 86400, value)),
  },
  'skip-matching': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.skipMatching,
    accepted: [
      ['', true],
      ['false', false],
    ],
    rejected: [BOOLEAN('skip-matching', 'yes')],
  },
  'auto-rollback': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.autoRollback,
    accepted: [
      ['', true],
      ['false', false],
    ],
    rejected: [BOOLEAN('auto-rollback', '1')],
  },
  'checkpoint-percentages': {
    command: ROLLOUT,
    alongside: { 'checkpoint-delay-seconds': '60' },
    holds: (config) => configFor('rollout', config).rollout.checkpointPercentages,
    accepted: [
      ['50,100', [50, 100]],
      ['20, 60, 100', [20, 60, 100]],
    ],
    rejected: [
      ['50,20,100', 'checkpoint-percentages: "50,20,100"; expected strictly ascending values.'],
      [
        '25,50',
        'checkpoint-percentages: "25,50"; the last checkpoint must be 100, or the refresh stops before replacing every instance.',
      ],
      ['half,100', 'checkpoint-percentages: "half"; expected whole numbers from 1 to 100.'],
    ],
  },
  'checkpoint-delay-seconds': {
    command: ROLLOUT,
    alongside: { 'checkpoint-percentages': '50,100' },
    holds: (config) => configFor('rollout', config).rollout.checkpointDelaySeconds,
    accepted: [
      ['0', 0],
      ['60', 60],
    ],
    rejected: ['-1', '1.5', '172801'].map((value) => whole('checkpoint-delay-seconds', 0, 172800, value)),
  },
  'on-refresh-in-progress': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.onRefreshInProgress,
    accepted: [
      ['', 'wait'],
      ['cancel', 'cancel'],
      ['fail', 'fail'],
    ],
    rejected: [['queue', 'on-refresh-in-progress: "queue"; expected one of wait, cancel, fail.']],
  },
  'on-timeout': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.onTimeout,
    accepted: [
      ['', 'rollback'],
      ['cancel', 'cancel'],
      ['none', 'none'],
    ],
    rejected: [['panic', 'on-timeout: "panic"; expected one of rollback, cancel, none.']],
  },
  'force-refresh': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.forceRefresh,
    accepted: [
      ['', false],
      ['true', true],
    ],
    rejected: [BOOLEAN('force-refresh', 'y')],
  },
  'wait-timeout-minutes': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.waitTimeoutSeconds,
    accepted: [
      ['', 1800],
      ['90', 5400],
      ['0.5', 30],
    ],
    rejected: ['0', '-1', '400', 'x'].map((value): Rejected => [
      value,
      `wait-timeout-minutes: "${value}"; expected a number of minutes greater than 0 and at most 360.`,
    ]),
  },
  'poll-interval-seconds': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.pollIntervalSeconds,
    accepted: [
      ['', 5],
      ['10', 10],
      ['2.5', 2.5],
    ],
    rejected: ['fast', '0', '301'].map((value): Rejected => [
      value,
      `poll-interval-seconds: "${value}"; expected a number of seconds greater than 0 and at most 300.`,
    ]),
  },
  'smoke-check': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.smokeCheck,
    accepted: [
      ['', true],
      ['false', false],
    ],
    rejected: [BOOLEAN('smoke-check', 'off')],
  },
  'rollback-on-check-failure': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.rollbackOnCheckFailure,
    accepted: [
      ['', false],
      ['true', true],
    ],
    rejected: [BOOLEAN('rollback-on-check-failure', 'yes')],
  },
  'smoke-path': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.smokePath,
    accepted: [
      ['', '/health/'],
      ['/ready?full=1', '/ready?full=1'],
    ],
    rejected: ['health/', '//x'].map((value): Rejected => [
      value,
      `smoke-path: "${value}"; expected a URL path starting with a single /, e.g. /health/ (letters, digits and - . _ ~ / ? = & % only).`,
    ]),
  },
  'app-url': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.appUrl,
    accepted: [
      ['', undefined],
      ['https://app.example.com', 'https://app.example.com'],
    ],
    rejected: [NOT_A_URL('app-url', 'ftp://example.com'), NOT_A_URL('app-url', 'app.example.com')],
  },
  'scale-in-protected-instances': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.scaleInProtectedInstances,
    accepted: [
      ['', 'Refresh'],
      ['Ignore', 'Ignore'],
      ['Wait', 'Wait'],
    ],
    rejected: [
      ['refresh', 'scale-in-protected-instances: "refresh"; expected one of Refresh, Ignore, Wait.'],
    ],
  },
  'standby-instances': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.standbyInstances,
    accepted: [
      ['', 'Ignore'],
      ['Terminate', 'Terminate'],
      ['Wait', 'Wait'],
    ],
    rejected: [['Keep', 'standby-instances: "Keep"; expected one of Terminate, Ignore, Wait.']],
  },
  'expected-commit': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.expectedCommit,
    accepted: [
      ['', undefined],
      [SHA, SHA],
      ['abc1234', 'abc1234'],
    ],
    rejected: ['main', 'ABC1234', 'abc123'].map((value): Rejected => [
      value,
      `expected-commit: "${value}"; expected a git commit SHA (7 to 40 lowercase hex digits).`,
    ]),
  },
  'smoke-app-path': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.smokeAppPath,
    accepted: [
      ['', '/'],
      ['/admin/login/', '/admin/login/'],
    ],
    rejected: [['home', 'smoke-app-path: "home"; expected a URL path starting with /, e.g. /.']],
  },
  'app-log-group': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.appLogGroup,
    accepted: [
      ['', undefined],
      ['/demo/test/app', '/demo/test/app'],
    ],
    rejected: [
      [
        'a b',
        'app-log-group: "a b"; expected a CloudWatch Logs group name (letters, digits and . _ - / #, up to 512).',
      ],
      [
        'x'.repeat(513),
        `app-log-group: "${'x'.repeat(120)}…"; expected a CloudWatch Logs group name (letters, digits and . _ - / #, up to 512).`,
      ],
    ],
  },
  'rollback-alarms': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.rollbackAlarms,
    accepted: [
      ['', undefined],
      ['none', []],
      ['web-5xx, web-p95', ['web-5xx', 'web-p95']],
    ],
    rejected: [
      [
        Array.from({ length: 11 }, (_, i) => `a${i}`).join(','),
        `rollback-alarms: "${Array.from({ length: 11 }, (_, i) => `a${i}`).join(',')}"; AWS watches at most 10 alarms per instance refresh (AlarmSpecification); with bake-time-seconds, name the ones that mean the release hurts users.`,
      ],
      [
        'x'.repeat(256),
        `rollback-alarms: "${'x'.repeat(120)}…"; expected CloudWatch alarm names (1-255 characters each), or none.`,
      ],
    ],
  },
  'bake-time-seconds': {
    command: ROLLOUT,
    holds: (config) => configFor('rollout', config).rollout.bakeTimeSeconds,
    accepted: [
      ['', undefined],
      ['0', 0],
      ['600', 600],
    ],
    rejected: [
      ...['-1', '2.5', 'x', '172801'].map((value) => whole('bake-time-seconds', 0, 172800, value)),
      [
        '1800',
        'bake-time-seconds: "1800"; the refresh bakes this long after its last replacement, which does not fit wait-timeout-minutes (30); raise wait-timeout-minutes or shorten the bake.',
      ],
    ],
  },
  'stress-duration-seconds': {
    command: SCALE_TEST,
    holds: (config) => configFor('scale-test', config).scaleTest.stressDurationSeconds,
    accepted: [
      ['', 600],
      ['30', 30],
      ['1200', 1200],
    ],
    rejected: ['29', '3601', 'x'].map((value) => whole('stress-duration-seconds', 30, 3600, value)),
  },
  'stress-workers-per-vcpu': {
    command: SCALE_TEST,
    holds: (config) => configFor('scale-test', config).scaleTest.workersPerVcpu,
    accepted: [
      ['', 1],
      ['8', 8],
    ],
    rejected: ['0', '9'].map((value) => whole('stress-workers-per-vcpu', 1, 8, value)),
  },
  'scale-test-timeout-minutes': {
    command: SCALE_TEST,
    holds: (config) => configFor('scale-test', config).scaleTest.timeoutSeconds,
    accepted: [
      ['', 1200],
      ['30', 1800],
    ],
    rejected: ['0', '241', 'x'].map((value): Rejected => [
      value,
      `scale-test-timeout-minutes: "${value}"; expected a number of minutes greater than 0 and at most 240.`,
    ]),
  },
  'wait-for-scale-in': {
    command: SCALE_TEST,
    holds: (config) => configFor('scale-test', config).scaleTest.waitForScaleIn,
    accepted: [
      ['', false],
      ['true', true],
    ],
    rejected: [BOOLEAN('wait-for-scale-in', 'yes')],
  },
  'migration-command': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).release.migrateCommand,
    accepted: [
      ['', ['python', 'manage.py', 'migrate', '--noinput']],
      ['bin/migrate  --plan', ['bin/migrate', '--plan']],
    ],
    rejected: ['python manage.py migrate; rm -rf /', "sh -c 'migrate'", 'migrate $APP'].map(
      (value): Rejected => [
        value,
        `migration-command: "${value}"; expected a command and its arguments separated by spaces, without quotes or shell syntax (it runs in the new image without a shell), or empty to turn the step off.`,
      ],
    ),
  },
  'migration-check-command': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).release.checkCommand,
    accepted: [
      ['', ['python', 'manage.py', 'lintmigrations', '--unapplied-migrations', '--no-cache']],
      ['python manage.py lintmigrations --no-cache', ['python', 'manage.py', 'lintmigrations', '--no-cache']],
    ],
    rejected: [
      [
        'lint | tee',
        'migration-check-command: "lint | tee"; expected a command and its arguments separated by spaces, without quotes or shell syntax (it runs in the new image without a shell), or empty to turn the step off.',
      ],
    ],
  },
  'migration-timeout-seconds': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).release.timeoutSeconds,
    accepted: [
      ['', 600],
      ['10', 10],
      ['10800', 10800],
    ],
    rejected: ['9', '10801', 'x'].map((value) => whole('migration-timeout-seconds', 10, 10800, value)),
  },
  'allow-incompatible-migrations': {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).release.allowIncompatible,
    accepted: [
      ['', false],
      ['true', true],
    ],
    rejected: [BOOLEAN('allow-incompatible-migrations', 'yes')],
  },
  preflight: {
    command: DEPLOY,
    holds: (config) => configFor('deploy', config).preflight,
    accepted: [
      ['', true],
      ['false', false],
    ],
    rejected: [BOOLEAN('preflight', 'skip')],
  },
};

function inputsOf(table: InputTable, input: string, value: string, alongside: Record<string, string> = {}) {
  return { ...table.command.values, ...table.alongside, ...alongside, [input]: value };
}

it('has a table for every input of action.yml, and none for an input it does not declare', () => {
  expect(Object.keys(TABLES).sort()).toEqual(Object.keys(readActionMetadata().inputs).sort());
});

for (const [input, table] of Object.entries(TABLES)) {
  describe(input, () => {
    for (const [value, holds, alongside] of table.accepted) {
      it(`accepts ${JSON.stringify(value)}`, () => {
        const inputs = inputsFrom(inputsOf(table, input, value, alongside));
        expect(table.holds(parseConfig(inputs, table.command.env, PATHS))).toEqual(holds);
      });
    }
    for (const [value, message] of table.rejected) {
      it(`rejects ${JSON.stringify(value)}`, () => {
        expect(configRejection(inputsOf(table, input, value), input, table.command.env, PATHS)).toBe(message);
      });
    }
  });
}
