/**
 * Inputs of `deploy` and `plan`: every bad one is named with what is accepted, all at once, and
 * nothing (docker, terraform, AWS, GitHub) runs.
 */
import { parseConfig, type ConfigPaths } from '../../src/inputs';
import { run } from '../../src/main';
import { configFor } from '../support/config';
import { inputsFrom } from '../support/inputs';
import { createRecorder } from '../support/recorder';
import { configProblems, configRejection } from '../support/rejection';

const SHA = 'a'.repeat(40);
const DIGEST = `sha256:${'b'.repeat(64)}`;
const ENV = { GITHUB_SHA: SHA, GITHUB_WORKSPACE: '/work/repo' };
/** A workspace of directories, plus files named like tfvars or Dockerfiles; no symlinks. */
const PATHS: ConfigPaths = {
  workspace: '/work/repo',
  bundledTerraform: '/action/terraform',
  inspect: (path) => ({ real: path, kind: /(\.tfvars|Dockerfile)$/.test(path) ? 'file' : 'directory' }),
};
const BUILD = {
  'aws-region': 'eu-west-1',
  'image-repository': 'acme/web',
  'dockerhub-username': 'acme-ci',
  'dockerhub-token': 'dckr_pat_secret',
  'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate\nregion=eu-west-1',
};
const PLAN = {
  command: 'plan',
  'aws-region': 'eu-west-1',
  'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
  'github-token': 'ghs_token',
};
const PR_ENV = { ...ENV, GITHUB_EVENT_NAME: 'pull_request' };

const problemsFor = (values: Record<string, string>, env: NodeJS.ProcessEnv = ENV): string[] =>
  configProblems(values, env, PATHS);

describe('deploy inputs', () => {
  it('defaults to deploy, building from app/ into the given repository, with the bundled stack', () => {
    const config = configFor('deploy', parseConfig(inputsFrom(BUILD), ENV, PATHS));
    expect(config.command).toBe('deploy');
    expect(config.image.existing).toBeUndefined();
    expect(config.image.build).toEqual({
      repository: { registry: 'docker.io', path: 'acme/web' },
      credentials: { username: 'acme-ci', password: 'dckr_pat_secret' },
      context: '/work/repo/app',
      dockerfile: undefined,
      revision: SHA,
      extraTags: [],
      buildArgs: {},
    });
    expect(config.terraform).toEqual({
      workingDirectory: '/action/terraform',
      label: 'terraform (bundled)',
      backendConfig: { bucket: 'acme-tfstate', key: 'web/prod.tfstate', region: 'eu-west-1' },
      variables: {},
      varFiles: [],
      lockTimeout: '5m',
      allowDestroy: false,
      protectedResourceTypes: [
        'aws_vpc',
        'aws_subnet',
        'aws_lb',
        'aws_lb_target_group',
        'aws_autoscaling_group',
        'aws_db_instance',
      ],
    });
    expect(config.github).toEqual({ commentOnPr: true, token: undefined, requireApprovedPlan: false });
  });

  it('parses every deploy input', () => {
    const config = configFor(
      'deploy',
      parseConfig(
        inputsFrom({
          ...BUILD,
          'build-context': '.',
          dockerfile: 'docker/Dockerfile',
          'extra-tags': 'latest, v1.2.0',
          'build-args': 'PYTHON_VERSION=3.12\nEXTRA=a=b',
          'working-directory': 'infra/web',
          'backend-config': 'path=state/web.tfstate',
          'terraform-vars': 'environment=prod\ncpu_target=60',
          'var-files': 'infra/prod.tfvars\ninfra/extra vars.tfvars',
          'lock-timeout': '90s',
          'allow-destroy': 'true',
          'protected-resource-types': 'aws_vpc\naws_db_instance',
          'require-approved-plan': 'true',
          'github-token': 'ghs_token',
        }),
        ENV,
        PATHS,
      ),
    );
    expect(config.image.build).toMatchObject({
      context: '/work/repo',
      dockerfile: '/work/repo/docker/Dockerfile',
      extraTags: ['latest', 'v1.2.0'],
      buildArgs: { PYTHON_VERSION: '3.12', EXTRA: 'a=b' },
    });
    expect(config.terraform).toEqual({
      workingDirectory: '/work/repo/infra/web',
      label: 'infra/web',
      backendConfig: { path: 'state/web.tfstate' },
      variables: { environment: 'prod', cpu_target: '60' },
      varFiles: ['/work/repo/infra/prod.tfvars', '/work/repo/infra/extra vars.tfvars'],
      lockTimeout: '90s',
      allowDestroy: true,
      protectedResourceTypes: ['aws_vpc', 'aws_db_instance'],
    });
    expect(config.github).toEqual({ commentOnPr: true, token: 'ghs_token', requireApprovedPlan: true });
  });

  it('deploys an existing image without build settings or push credentials (a rollback)', () => {
    const config = configFor(
      'deploy',
      parseConfig(
        inputsFrom({
          'aws-region': 'eu-west-1',
          image: `acme/web@${DIGEST}`,
          'backend-config': BUILD['backend-config'],
        }),
        {},
        PATHS,
      ),
    );
    expect(config.image).toEqual({
      existing: { registry: 'docker.io', path: 'acme/web', tag: undefined, digest: DIGEST },
      credentials: undefined,
      build: undefined,
    });
  });

  it('sends the credentials for an image of image-repository, and never for one outside it', () => {
    const inside = configFor(
      'deploy',
      parseConfig(inputsFrom({ ...BUILD, image: `acme/web@${DIGEST}` }), ENV, PATHS),
    );
    expect(inside.image.credentials).toEqual({ username: 'acme-ci', password: 'dckr_pat_secret' });

    const outside = { ...BUILD, image: `mirror.example/acme/web@${DIGEST}` };
    expect(problemsFor(outside)).toEqual([
      expect.stringMatching(
        /^image: "mirror.example\/acme\/web"; is outside image-repository \(docker.io\/acme\/web\)/,
      ),
    ]);
    const allowed = configFor(
      'deploy',
      parseConfig(inputsFrom({ ...outside, 'allow-image-outside-repository': 'true' }), ENV, PATHS),
    );
    expect(allowed.image.existing?.registry).toBe('mirror.example');
    expect(allowed.image.credentials).toBeUndefined();
  });

  it('plans on a pull request with the deployed image by default', () => {
    const config = configFor('plan', parseConfig(inputsFrom(PLAN), PR_ENV, PATHS));
    expect(config.command).toBe('plan');
    expect(config.image.existing).toBeUndefined();
    expect(config.github.commentOnPr).toBe(true);
  });

  // Each case: inputs, environment, the input the message must name, and what is accepted.
  const invalidCases: [string, Record<string, string>, NodeJS.ProcessEnv, string, string][] = [
    [
      'a build without any registry credentials',
      { ...BUILD, 'dockerhub-username': '', 'dockerhub-token': '' },
      ENV,
      'dockerhub-token',
      'existing image',
    ],
    ['a username without a token', { ...BUILD, 'dockerhub-token': '' }, ENV, 'dockerhub-token', 'or neither'],
    [
      'a build without a repository',
      { ...BUILD, 'image-repository': '' },
      ENV,
      'image-repository',
      'e.g. acme/web',
    ],
    [
      'a repository with a tag',
      { ...BUILD, 'image-repository': 'acme/web:v1' },
      ENV,
      'image-repository',
      'without a tag',
    ],
    [
      'an image without tag or digest',
      { ...BUILD, image: 'acme/web' },
      ENV,
      'image',
      'by tag (repo:tag) or digest',
    ],
    ['an invalid image reference', { ...BUILD, image: 'Acme Web:v1' }, ENV, 'image', 'Acme Web'],
    ['a malformed digest', { ...BUILD, image: 'acme/web@sha256:123' }, ENV, 'image', 'sha256'],
    ['an invalid extra tag', { ...BUILD, 'extra-tags': '-bad' }, ENV, 'extra-tags', 'valid image tag'],
    [
      'a build arg without a value',
      { ...BUILD, 'build-args': 'SECRET_FROM_ENV' },
      ENV,
      'build-args',
      'has no =value',
    ],
    ['a build outside GitHub without GITHUB_SHA', BUILD, {}, 'GITHUB_SHA', 'set it when running locally'],
    [
      'no backend config for the bundled stack',
      { ...BUILD, 'backend-config': '' },
      ENV,
      'backend-config',
      'bucket and key',
    ],
    [
      'a backend config without key',
      { ...BUILD, 'backend-config': 'bucket=acme-tfstate' },
      ENV,
      'backend-config',
      'needs key',
    ],
    [
      'a backend config line without =',
      { ...BUILD, 'backend-config': 'bucket acme' },
      ENV,
      'backend-config',
      'key=value',
    ],
    [
      'a backend setting given twice',
      { ...BUILD, 'backend-config': `${BUILD['backend-config']}\nkey=other` },
      ENV,
      'backend-config',
      'set twice',
    ],
    [
      'an invalid variable name',
      { ...BUILD, 'terraform-vars': '1st=a' },
      ENV,
      'terraform-vars',
      'variable name',
    ],
    [
      'the image as a terraform variable',
      { ...BUILD, 'terraform-vars': `image=acme/web@${DIGEST}` },
      ENV,
      'terraform-vars',
      'sets image itself',
    ],
    [
      'a lock timeout without unit',
      { ...BUILD, 'lock-timeout': '300' },
      ENV,
      'lock-timeout',
      '30s, 5m or 1h',
    ],
    [
      'a non-boolean allow-destroy',
      { ...BUILD, 'allow-destroy': 'maybe' },
      ENV,
      'allow-destroy',
      'true or false',
    ],
    [
      'a protected type that is not a type',
      { ...BUILD, 'protected-resource-types': 'VPC' },
      ENV,
      'protected-resource-types',
      'aws_vpc',
    ],
    [
      'asg-name with deploy',
      { ...BUILD, 'asg-name': 'web' },
      ENV,
      'asg-name',
      'reads it from the Terraform outputs',
    ],
    [
      'an approved-plan check without a token',
      { ...BUILD, 'require-approved-plan': 'true' },
      ENV,
      'github-token',
      'github.token',
    ],
    [
      'plan outside a pull request with commenting on',
      PLAN,
      { GITHUB_EVENT_NAME: 'push' },
      'comment-on-pr',
      "this run's event is push",
    ],
    [
      'plan with commenting and no token',
      { ...PLAN, 'github-token': '' },
      PR_ENV,
      'github-token',
      'commenting the plan',
    ],
    [
      'require-approved-plan on plan',
      { ...PLAN, 'require-approved-plan': 'true' },
      PR_ENV,
      'require-approved-plan',
      'only applies to command: deploy',
    ],
    [
      'an image with rollout',
      { command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web', image: `acme/web@${DIGEST}` },
      ENV,
      'image',
      'command: deploy',
    ],
    [
      'terraform inputs with rollout',
      { command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web', 'working-directory': 'infra' },
      ENV,
      'working-directory',
      'rollout runs no Terraform',
    ],
  ];

  it.each(invalidCases)(
    'rejects %s with one message naming the input',
    (_label, values, env, input, accepted) => {
      expect(configRejection(values, input, env, PATHS)).toContain(accepted);
    },
  );

  it.each([
    [
      'a NUL in a single-line input',
      { ...BUILD, 'dockerhub-username': 'acme\u0000ci' },
      'dockerhub-username',
    ],
    ['a NUL in a line of a multi-line input', { ...BUILD, 'build-args': 'A=1\nB=\u0000' }, 'build-args'],
    ['a line feed in a single-line input', { ...BUILD, dockerfile: 'Dockerfile\nx' }, 'dockerfile'],
  ])('refuses %s, naming the input and not repeating the value', (_label, values, input) => {
    const problem = configRejection(values, input, ENV, PATHS);
    expect(problem).toMatch(/control character/);
    expect(problem).not.toContain('\u0000');
  });

  it('names a bad key=value line by number and never repeats it', () => {
    const problems = problemsFor({ ...BUILD, 'terraform-vars': 'ok=1\n\npassword hunter2' });
    expect(problems).toEqual([
      'terraform-vars: line 3 is not key=value with the key being a Terraform variable name (the line is not repeated here: it may hold a secret).',
    ]);
  });

  it('plans in a repository without app/: the runner passes build-context app to every run', () => {
    const noApp = (path: string) =>
      path.startsWith('/work/repo/app') ? undefined : { real: path, kind: 'directory' as const };
    const parse = (values: Record<string, string>) => () =>
      parseConfig(inputsFrom(values), PR_ENV, { ...PATHS, inspect: noApp });
    // Unused by a plan: only held inside the workspace, never required to exist.
    expect(parse({ ...PLAN, 'build-context': 'app', dockerfile: 'app/Dockerfile' })).not.toThrow();
    expect(parse({ ...PLAN, 'build-context': '../elsewhere' })).toThrow(
      /build-context: .*outside the workspace/,
    );
    // A build needs it.
    expect(parse({ ...BUILD, 'build-context': 'app' })).toThrow(/build-context: "app"; no such directory/);
  });

  it('resolves path inputs through symlinks and refuses the ones that leave the workspace', () => {
    const inspect = (path: string) =>
      path === '/work/repo/link.tfvars'
        ? { real: '/proc/self/environ', kind: 'file' as const }
        : {
            real: path,
            kind: /(\.tfvars|Dockerfile)$/.test(path) ? ('file' as const) : ('directory' as const),
          };
    const problem = configRejection({ ...BUILD, 'var-files': 'ok.tfvars\nlink.tfvars' }, 'var-files', ENV, {
      ...PATHS,
      inspect,
    });
    expect(problem).toMatch(/^var-files: "link.tfvars"; resolves outside the workspace/);
  });

  it('fails before running docker, terraform, AWS or GitHub, and never prints the token', async () => {
    const recorder = createRecorder();
    const runCommand = jest.fn();
    const createClients = jest.fn();
    const createOctokit = jest.fn();
    const maskSecret = jest.fn();
    await run({
      readInput: inputsFrom({ ...BUILD, 'image-repository': 'acme/web:latest', 'lock-timeout': 'soon' }),
      env: ENV,
      paths: PATHS,
      log: recorder.log,
      reporter: recorder.reporter,
      runCommand,
      createClients,
      createOctokit,
      maskSecret,
    });
    expect(runCommand).not.toHaveBeenCalled();
    expect(createClients).not.toHaveBeenCalled();
    expect(createOctokit).not.toHaveBeenCalled();
    expect(recorder.outputs['failure-reason']).toBe('invalid-input');
    expect(recorder.failures).toHaveLength(1);
    expect(recorder.failures[0]).toContain('2 invalid inputs; nothing was built, planned or changed');
    expect(recorder.failures[0]).toContain('image-repository: ');
    expect(recorder.failures[0]).toContain('lock-timeout: "soon"');
    expect(recorder.failures.join('\n') + recorder.text()).not.toContain('dckr_pat_secret');
  });
});
