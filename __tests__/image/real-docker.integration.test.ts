/**
 * The image stage against real Docker: the machine's docker CLI talking to podman's Docker API,
 * and an authenticated registry on 127.0.0.1 (emulation/container-runtime/runtime.sh). There is
 * no buildx here, so this is the plain path: docker login (stdin), docker build, docker push.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type CommandOptions, type CommandResult, type CommandRunner } from '../../src/exec';
import {
  buildAndPush,
  parseExistingImage,
  parseRepository,
  resolveImage,
  type BuildSettings,
  type ImageDependencies,
  type ImageResult,
} from '../../src/image';
import { systemClock } from '../../src/clock';
import { createRecorder } from '../support/recorder';
import {
  fetchTrusting,
  registryDigest,
  startContainerRuntime,
  type ContainerRuntime,
} from '../../emulation/containerRuntime';
import { rejection } from '../support/rejection';

const REVISION = randomBytes(20).toString('hex');

interface RecordedCommand {
  args: string[];
  options: CommandOptions;
  result: CommandResult;
}

let runtime: ContainerRuntime;
let workDir: string;
let dockerConfig: string;
/** Unique per run: the registry's storage outlives the test. */
let path: string;

beforeAll(async () => {
  runtime = await startContainerRuntime();
  workDir = mkdtempSync(join(tmpdir(), 'image-stage-'));
  dockerConfig = join(workDir, 'docker-config');
  path = `ci/image-stage-${randomBytes(4).toString('hex')}`;
  writeFileSync(
    join(workDir, 'Dockerfile'),
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG GREETING\nRUN echo "$GREETING" > /greeting\n',
  );
  writeFileSync(join(workDir, 'Failing.Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN exit 3\n');
}, 600_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * The real docker, with each call recorded, pointed at the podman service and a docker config of
 * the test's own. Output is kept out of the jest log but still returned, so it can be searched.
 */
function recordingDocker(events: string[]) {
  const commands: RecordedCommand[] = [];
  const run: CommandRunner = async (command, args, options = {}) => {
    events.push(`run ${args.slice(0, 2).join(' ')}`);
    const result = await runCommand(command, args, {
      ...options,
      silent: true,
      env: { ...options.env, DOCKER_HOST: runtime.dockerHost, DOCKER_CONFIG: dockerConfig },
    });
    commands.push({ args, options, result });
    return result;
  };
  return { run, commands };
}

function stage(password = runtime.password) {
  const events: string[] = [];
  const recorder = createRecorder();
  const docker = recordingDocker(events);
  const dependencies: ImageDependencies = {
    run: docker.run,
    log: recorder.log,
    fetch: fetchTrusting(runtime.caFile),
    clock: systemClock,
    env: { GITHUB_REPOSITORY: 'acme/ha-django-deploy', RUNNER_TEMP: workDir },
    maskSecret: (value) => events.push(`mask ${value}`),
  };
  const settings: BuildSettings = {
    repository: parseRepository(`${runtime.registry}/${path}`),
    credentials: { username: runtime.username, password },
    context: workDir,
    dockerfile: undefined,
    revision: REVISION,
    extraTags: ['stable'],
    buildArgs: { BASE_IMAGE: runtime.baseImage, GREETING: `hello ${REVISION}` },
  };
  return { dependencies, settings, events, recorder, commands: docker.commands };
}

describe('build and push with the classic builder', () => {
  let build: ReturnType<typeof stage>;
  let result: ImageResult;

  beforeAll(async () => {
    build = stage();
    result = await buildAndPush(build.dependencies, build.settings);
  });

  afterAll(async () => {
    // The local copies only; the pushed image stays in the registry, which the runtime keeps.
    await runCommand(
      'docker',
      ['image', 'rm', '--force', ...result.tags.map((tag) => `${result.repository}:${tag}`)],
      {
        silent: true,
        env: { DOCKER_HOST: runtime.dockerHost },
      },
    );
  });

  it('logs in through stdin, builds, pushes and returns the digest the registry serves', () => {
    expect(build.recorder.text()).toContain('buildx is not available: using docker build, then docker push.');
    expect(result.tags).toEqual([REVISION, 'stable']);
    expect(result.repository).toBe(`${runtime.registry}/${path}`);
    expect(result.reference).toBe(`${runtime.registry}/${path}@${result.digest}`);
    expect(result.built).toBe(true);
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The registry's own answer, fetched with curl rather than the client under test.
    for (const tag of result.tags) expect(registryDigest(runtime, path, tag)).toBe(result.digest);

    const { commands } = build;
    expect(commands.map(({ args }) => args[0])).toEqual([
      'login',
      'buildx',
      'build',
      'push',
      'push',
      'logout',
    ]);
    expect(commands[0]!.args).toEqual([
      'login',
      runtime.registry,
      '--username',
      runtime.username,
      '--password-stdin',
    ]);
    expect(commands[0]!.options.input).toBe(runtime.password);
  });

  it('keeps the token out of every argv, every command output and the log, and masks it first', () => {
    expect(build.events[0]).toBe(`mask ${runtime.password}`);
    for (const { args, result: output } of build.commands) {
      expect(args.join(' ')).not.toContain(runtime.password);
      expect(output.stdout + output.stderr).not.toContain(runtime.password);
    }
    expect(build.recorder.text()).not.toContain(runtime.password);
    // Logged out again: the runner keeps no credentials for the registry.
    const config = join(dockerConfig, 'config.json');
    const auths = existsSync(config)
      ? (JSON.parse(readFileSync(config, 'utf8')) as { auths?: object }).auths
      : {};
    expect(auths ?? {}).not.toHaveProperty([runtime.registry]);
  });

  it('labels the image with its source, revision and build time', async () => {
    const inspect = await runCommand(
      'docker',
      ['image', 'inspect', '--format', '{{json .Config.Labels}}', `${runtime.registry}/${path}:${REVISION}`],
      { silent: true, env: { DOCKER_HOST: runtime.dockerHost } },
    );
    const labels = JSON.parse(inspect.stdout) as Record<string, string>;
    expect(labels['org.opencontainers.image.source']).toBe('https://github.com/acme/ha-django-deploy');
    expect(labels['org.opencontainers.image.revision']).toBe(REVISION);
    expect(Date.parse(labels['org.opencontainers.image.created']!)).not.toBeNaN();
  });

  it('resolves a tag to its digest for a rollback, building nothing', async () => {
    const { dependencies, commands } = stage();
    const resolved = await resolveImage(dependencies, {
      image: parseExistingImage(`${runtime.registry}/${path}:stable`),
      credentials: { username: runtime.username, password: runtime.password },
    });
    expect(resolved.digest).toBe(result.digest);
    expect(resolved.reference).toBe(result.reference);
    expect(resolved.tags).toEqual(['stable']);
    expect(resolved.built).toBe(false);
    expect(commands).toHaveLength(0);
  });

  it('checks that a given digest exists and deploys exactly it', async () => {
    const { dependencies } = stage();
    const resolved = await resolveImage(dependencies, {
      image: parseExistingImage(`${runtime.registry}/${path}@${result.digest}`),
      credentials: { username: runtime.username, password: runtime.password },
    });
    expect(resolved.reference).toBe(result.reference);
    expect(resolved.tags).toEqual([]);
  });

  it('explains an unknown tag', async () => {
    const { dependencies } = stage();
    const error = await rejection(
      resolveImage(dependencies, {
        image: parseExistingImage(`${runtime.registry}/${path}:no-such-tag`),
        credentials: { username: runtime.username, password: runtime.password },
      }),
    );
    expect(error.reason).toBe('image-not-found');
    expect(error.message).toBe(
      `The registry ${runtime.registry} has no tag no-such-tag in ${runtime.registry}/${path}.`,
    );
  });

  it('explains a Dockerfile that fails, and still logs out', async () => {
    const { dependencies, settings, commands } = stage();
    const error = await rejection(
      buildAndPush(dependencies, { ...settings, dockerfile: join(workDir, 'Failing.Dockerfile') }),
    );
    expect(error.reason).toBe('image-build-failed');
    expect(error.message).toMatch(/exit code [1-9]/);
    expect(error.message).toContain('exit 3');
    expect(commands.map(({ args }) => args[0])).toEqual(['login', 'buildx', 'build', 'logout']);
  });
});

describe('bad credentials', () => {
  const wrong = `wrong-${randomBytes(6).toString('hex')}`;

  it('fail at docker login, before anything is built, without showing the token', async () => {
    const { dependencies, settings, commands } = stage(wrong);
    const error = await rejection(buildAndPush(dependencies, settings));
    expect(error.reason).toBe('registry-login-failed');
    expect(error.message).toContain(`docker login to ${runtime.registry} as ${runtime.username} failed`);
    expect(error.message).toContain('401');
    expect(`${error.message} ${error.nextSteps}`).not.toContain(wrong);
    expect(commands.map(({ args }) => args[0])).toEqual(['login']);
  });

  it('are refused by the registry when resolving an existing image', async () => {
    const { dependencies } = stage(wrong);
    const error = await rejection(
      resolveImage(dependencies, {
        image: parseExistingImage(`${runtime.registry}/${path}:stable`),
        credentials: { username: runtime.username, password: wrong },
      }),
    );
    expect(error.reason).toBe('registry-unauthorized');
  });
});
