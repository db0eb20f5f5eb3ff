/**
 * The buildx path, through a RECORDING STAND-IN for docker: this machine has no buildx (and no
 * builder that could reach the GitHub Actions cache), so these tests check the command lines the
 * stage sends (`--metadata-file`, `--iidfile`, `--provenance=false`, `type=gha` cache) and what it
 * does with buildx's metadata file, which the stand-in writes the way buildx does. The registry
 * check afterwards is real HTTP, against a fake registry on loopback. The plain docker build/push
 * path runs against real Docker in real-docker.integration.test.ts.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandOptions, CommandResult, CommandRunner } from '../../src/exec';
import {
  buildAndPush,
  parseExistingImage,
  resolveImage,
  type BuildSettings,
  type ImageDependencies,
} from '../../src/image';
import { createFakeClock } from '../support/fakeClock';
import { createRecorder } from '../support/recorder';
import { fakeDigest, startFakeRegistry, type FakeRegistry } from './fakeRegistry';
import { rejection } from '../support/rejection';

const PASSWORD = 'dckr_pat_stand-in-secret';
const REVISION = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
const DIGEST = fakeDigest('buildx build');
const CACHE_ENV = { ACTIONS_RUNTIME_TOKEN: 'runtime-token', ACTIONS_RESULTS_URL: 'https://results.example/' };

interface StandInOptions {
  driver?: string;
  /** What buildx writes to --metadata-file; its default is a pushed image's metadata. */
  metadata?: object;
}

/** Answers like docker with buildx installed, recording every call. */
function buildxStandIn({ driver = 'docker-container', metadata }: StandInOptions = {}) {
  const calls: { args: string[]; options: CommandOptions | undefined }[] = [];
  const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
  const run: CommandRunner = (command, args, options) => {
    calls.push({ args, options });
    const [first, second] = args;
    if (first === 'buildx' && second === 'version')
      return Promise.resolve(ok('github.com/docker/buildx v0.29.1'));
    if (first === 'buildx' && second === 'inspect') {
      return Promise.resolve(ok(`Name:          builder\nDriver:        ${driver}\n`));
    }
    if (first === 'buildx' && second === 'build' && args.includes('--push')) {
      const valueOf = (flag: string) => args[args.indexOf(flag) + 1]!;
      writeFileSync(
        valueOf('--metadata-file'),
        JSON.stringify(metadata ?? { 'containerimage.digest': DIGEST, 'image.name': 'x' }),
      );
      writeFileSync(valueOf('--iidfile'), fakeDigest('config'));
    }
    return Promise.resolve(ok());
  };
  return { run, calls, commandsRun: () => calls.map(({ args }) => args.slice(0, 2).join(' ')) };
}

let registry: FakeRegistry;
let runnerTemp: string;

beforeEach(async () => {
  registry = await startFakeRegistry({ auth: 'basic', username: 'acme', password: PASSWORD });
  registry.store('acme/web', REVISION, DIGEST);
  registry.store('acme/web', 'latest', DIGEST);
  runnerTemp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
});

afterEach(async () => {
  await registry.close();
  rmSync(runnerTemp, { recursive: true, force: true });
});

function stage(run: CommandRunner, env: NodeJS.ProcessEnv = CACHE_ENV) {
  const recorder = createRecorder();
  const masked: string[] = [];
  const dependencies: ImageDependencies = {
    run,
    log: recorder.log,
    fetch,
    clock: createFakeClock().clock,
    env: { ...env, RUNNER_TEMP: runnerTemp },
    maskSecret: (value) => masked.push(value),
    registryScheme: 'http',
  };
  const settings: BuildSettings = {
    repository: { registry: registry.host, path: 'acme/web' },
    credentials: { username: 'acme', password: PASSWORD },
    context: 'app',
    dockerfile: undefined,
    revision: REVISION,
    extraTags: ['latest'],
    buildArgs: {},
  };
  return { dependencies, settings, recorder, masked };
}

describe('buildx path (recording stand-in for docker)', () => {
  it('builds and pushes in one step and takes the digest from the metadata file', async () => {
    const docker = buildxStandIn();
    const { dependencies, settings, masked } = stage(docker.run);
    const result = await buildAndPush(dependencies, settings);

    expect(result).toEqual({
      repository: `${registry.host}/acme/web`,
      tags: [REVISION, 'latest'],
      digest: DIGEST,
      reference: `${registry.host}/acme/web@${DIGEST}`,
      imageId: fakeDigest('config'),
      built: true,
      revision: REVISION,
    });
    expect(docker.commandsRun()).toEqual([
      `login ${registry.host}`,
      'buildx version',
      'buildx inspect',
      'buildx build',
      `logout ${registry.host}`,
    ]);
    expect(masked).toEqual([PASSWORD]);
    expect(docker.calls[0]!.options?.input).toBe(PASSWORD);
    for (const { args } of docker.calls) expect(args.join(' ')).not.toContain(PASSWORD);

    const build = docker.calls[3]!.args;
    expect(build.slice(0, 4)).toEqual(['buildx', 'build', '--push', '--provenance=false']);
    // The app reports REVISION as its commit: what the rollout's smoke check compares (issue 9).
    expect(build.join(' ')).toContain(`--build-arg REVISION=${REVISION}`);
    const metadataFile = build[build.indexOf('--metadata-file') + 1]!;
    const iidFile = build[build.indexOf('--iidfile') + 1]!;
    expect(metadataFile.startsWith(runnerTemp)).toBe(true);
    expect(iidFile.startsWith(runnerTemp)).toBe(true);
    expect(build).toEqual(
      expect.arrayContaining([
        '--cache-from',
        `type=gha,scope=${registry.host}/acme/web`,
        '--cache-to',
        `type=gha,mode=max,scope=${registry.host}/acme/web,ignore-error=true`,
      ]),
    );
    // buildx reads the cache service's token from its environment; it is never in argv, and only
    // this command is given it.
    expect(build.join(' ')).not.toContain('runtime-token');
    expect(docker.calls.filter(({ options }) => options?.runnerCache).map(({ args }) => args[1])).toEqual([
      'build',
    ]);
    expect(build.at(-1)).toBe('app');
    // The result files are cleaned up with their temporary directory.
    expect(readdirSync(runnerTemp)).toEqual([]);
    // Every tag was checked with the registry after the push.
    const checked = registry.requests
      .filter((request) => request.method === 'HEAD')
      .map((request) => request.url);
    expect(checked).toEqual(
      expect.arrayContaining([`/v2/acme/web/manifests/${REVISION}`, '/v2/acme/web/manifests/latest']),
    );
  });

  it('with a check before the push, builds into the local store, checks that image, then pushes', async () => {
    const docker = buildxStandIn();
    const { dependencies, settings } = stage(docker.run);
    const checked: string[] = [];
    await buildAndPush(dependencies, settings, (image) => {
      checked.push(`${image} after ${docker.calls.length} calls`);
      return Promise.resolve();
    });
    expect(docker.commandsRun()).toEqual([
      `login ${registry.host}`,
      'buildx version',
      'buildx inspect',
      'buildx build',
      'buildx build',
      `logout ${registry.host}`,
    ]);
    expect(docker.calls[3]!.args.slice(0, 4)).toEqual(['buildx', 'build', '--load', '--provenance=false']);
    expect(docker.calls[3]!.args).not.toContain('--cache-to');
    expect(checked).toEqual([`${registry.host}/acme/web:${REVISION} after 4 calls`]);
    expect(docker.calls[4]!.args).toContain('--push');
  });

  it('pushes nothing when the check before the push fails', async () => {
    const docker = buildxStandIn();
    const { dependencies, settings } = stage(docker.run);
    const failure = new Error('the app contract is violated');
    await expect(buildAndPush(dependencies, settings, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(docker.calls.some(({ args }) => args.includes('--push'))).toBe(false);
    expect(docker.commandsRun().at(-1)).toBe(`logout ${registry.host}`);
  });

  it("leaves the cache off when the builder's driver cannot export it, and says why", async () => {
    const docker = buildxStandIn({ driver: 'docker' });
    const { dependencies, settings, recorder } = stage(docker.run);
    await buildAndPush(dependencies, settings);
    expect(docker.calls[3]!.args.join(' ')).not.toContain('type=gha');
    expect(docker.calls[3]!.options?.runnerCache).toBe(false);
    expect(recorder.text()).toContain("the buildx builder's driver is docker");
    expect(recorder.text()).toContain('docker/setup-buildx-action');
  });

  it('does not look for a builder cache on a runner without the cache service', async () => {
    const docker = buildxStandIn();
    const { dependencies, settings, recorder } = stage(docker.run, {});
    await buildAndPush(dependencies, settings);
    expect(docker.commandsRun()).not.toContain('buildx inspect');
    expect(docker.calls.find(({ args }) => args[1] === 'build')!.args.join(' ')).not.toContain('type=gha');
    expect(recorder.text()).toContain('Build cache: off (no GitHub Actions cache service on this runner).');
  });

  it('refuses to guess when buildx reports no digest, and still logs out', async () => {
    const docker = buildxStandIn({ metadata: { 'buildx.build.ref': 'builder/builder0/x' } });
    const { dependencies, settings } = stage(docker.run);
    const error = await rejection(buildAndPush(dependencies, settings));
    expect(error.reason).toBe('image-digest-missing');
    expect(error.message).toContain('no containerimage.digest');
    expect(error.message).toContain('nothing is deployed by a guessed digest');
    expect(docker.commandsRun().at(-1)).toMatch(/^logout/);
  });

  it('fails when the registry serves another digest than buildx reported', async () => {
    registry.store('acme/web', 'latest', fakeDigest('someone else'));
    const docker = buildxStandIn();
    const { dependencies, settings } = stage(docker.run);
    const error = await rejection(buildAndPush(dependencies, settings));
    expect(error.reason).toBe('image-digest-mismatch');
    expect(error.message).toContain(`docker reported ${DIGEST} for ${registry.host}/acme/web:latest`);
    expect(error.message).toContain(`serves ${fakeDigest('someone else')}`);
  });
});

describe('docker missing (stand-in that fails like @actions/exec does)', () => {
  it('explains that docker could not be run', async () => {
    const missing: CommandRunner = () =>
      Promise.reject(new Error('Unable to locate executable file: docker.'));
    const { dependencies, settings } = stage(missing);
    const error = await rejection(buildAndPush(dependencies, settings));
    expect(error.reason).toBe('docker-unavailable');
    expect(error.nextSteps).toContain('pass an existing image');
  });
});

describe('the commit an existing image was built from (issue 9: what the smoke check expects)', () => {
  const credentials = { username: 'acme', password: PASSWORD };

  it('is its org.opencontainers.image.revision label, however the image is named', async () => {
    const older = 'a'.repeat(40);
    const digest = registry.storeImage('acme/web', 'stable', { 'org.opencontainers.image.revision': older });
    const { dependencies, recorder } = stage(buildxStandIn().run);
    for (const image of [`${registry.host}/acme/web@${digest}`, `${registry.host}/acme/web:stable`]) {
      const resolved = await resolveImage(dependencies, { image: parseExistingImage(image), credentials });
      expect(resolved).toMatchObject({ digest, revision: older });
    }
    expect(recorder.text()).toContain(
      `built from commit ${older} (its org.opencontainers.image.revision label)`,
    );
  });

  it('is not read past 4 MiB: a config blob larger than that is named as such, not parsed', async () => {
    const huge = 'a'.repeat(5 * 1024 * 1024);
    const digest = registry.storeImage('acme/web', 'huge', { 'org.opencontainers.image.revision': huge });
    const { dependencies, recorder } = stage(buildxStandIn().run);
    const resolved = await resolveImage(dependencies, {
      image: parseExistingImage(`${registry.host}/acme/web@${digest}`),
      credentials,
    });
    expect(resolved.revision).toBeUndefined();
    expect(recorder.text()).toMatch(/Could not read the image's revision label: .* larger than 4 MiB/);
  });

  it('falls back to the commit-SHA tag it is named by, and is unknown otherwise', async () => {
    // The stored manifests here carry no config: no label to read.
    const { dependencies, recorder } = stage(buildxStandIn().run);
    const bySha = await resolveImage(dependencies, {
      image: parseExistingImage(`${registry.host}/acme/web:${REVISION}`),
      credentials,
    });
    expect(bySha.revision).toBe(REVISION);
    const byDigest = await resolveImage(dependencies, {
      image: parseExistingImage(`${registry.host}/acme/web@${DIGEST}`),
      credentials,
    });
    expect(byDigest.revision).toBeUndefined();
    expect(recorder.text()).toContain('The image names no commit');
  });
});
