/**
 * Images dated by their commit, with the real container runtime (podman's Docker API, the classic
 * builder) and the authenticated registry on 127.0.0.1: what the action puts into the build (the
 * creation label, SOURCE_DATE_EPOCH, VERSION) is the same for every build of one commit, whatever
 * the clock says.
 *
 * What this runtime does NOT make reproducible, measured: podman 4.3's builder ignores
 * SOURCE_DATE_EPOCH, so a build that misses its layer cache writes new file times into every RUN
 * layer and a new config creation time, and its digest differs. Whether the cache is warm is not
 * the action's to decide (in CI other suites build and prune beside this one), so the digest is
 * not asserted here: byte-identical images need BuildKit's rewrite-timestamp (README, Reproducible
 * images).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type CommandRunner } from '../../src/exec';
import { buildAndPush, parseRepository, type BuildSettings, type ImageDependencies } from '../../src/image';
import { systemClock } from '../../src/clock';
import { createRecorder } from '../support/recorder';
import { commitDirectory } from '../support/gitCommit';
import {
  fetchTrusting,
  startContainerRuntime,
  type ContainerRuntime,
} from '../../emulation/containerRuntime';

const COMMITTED_AT = '2026-11-30T12:00:00Z';

let runtime: ContainerRuntime;
let workDir: string;
let commit: string;
let commitSeconds: number;

beforeAll(async () => {
  runtime = await startContainerRuntime();
  workDir = mkdtempSync(join(tmpdir(), 'reproducible-image-'));
  writeFileSync(
    join(workDir, 'Dockerfile'),
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG VERSION\nARG REVISION\nRUN echo "$VERSION $REVISION" > /release\n',
  );
  // A content no other run has: buildah's layer cache ignores build-arg values.
  writeFileSync(join(workDir, 'nonce'), randomBytes(8).toString('hex'));
  commit = commitDirectory(workDir, COMMITTED_AT);
  commitSeconds = Date.parse(COMMITTED_AT) / 1000;
}, 600_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function build(path: string) {
  const recorder = createRecorder();
  const args: string[][] = [];
  const run: CommandRunner = (command, commandArgs, options = {}) => {
    args.push(commandArgs);
    return runCommand(command, commandArgs, {
      ...options,
      silent: true,
      env: { ...options.env, DOCKER_HOST: runtime.dockerHost, DOCKER_CONFIG: join(workDir, 'docker-config') },
    });
  };
  const dependencies: ImageDependencies = {
    run,
    log: recorder.log,
    fetch: fetchTrusting(runtime.caFile),
    // A clock far from the commit: nothing may be dated by it.
    clock: { ...systemClock, now: () => Date.parse('2030-01-01T00:00:00Z') },
    env: { GITHUB_REPOSITORY: 'acme/web', GITHUB_REF_NAME: 'v1.2.3', RUNNER_TEMP: workDir },
    maskSecret: () => undefined,
  };
  const settings: BuildSettings = {
    repository: parseRepository(`${runtime.registry}/${path}`),
    credentials: { username: runtime.username, password: runtime.password },
    context: workDir,
    dockerfile: undefined,
    revision: commit,
    extraTags: [],
    buildArgs: { BASE_IMAGE: runtime.baseImage },
  };
  return { result: buildAndPush(dependencies, settings), args, recorder };
}

describe('two builds of one commit', () => {
  it('are dated by the commit, not the clock, with SOURCE_DATE_EPOCH and VERSION from the ref', async () => {
    const path = `ci/reproducible-${randomBytes(4).toString('hex')}`;
    const first = build(path);
    const firstImage = await first.result;
    const second = build(`${path}-again`);
    const secondImage = await second.result;

    for (const run of [first, second]) {
      const buildArgs = run.args.find((args) => args[0] === 'build') ?? [];
      expect(buildArgs).toEqual(expect.arrayContaining(['--build-arg', 'VERSION=v1.2.3']));
      expect(buildArgs).toEqual(
        expect.arrayContaining(['--build-arg', `SOURCE_DATE_EPOCH=${commitSeconds}`]),
      );
    }
    for (const image of [firstImage, secondImage]) {
      const inspect = await runCommand(
        'docker',
        ['image', 'inspect', '--format', '{{json .Config.Labels}}', `${image.repository}:${commit}`],
        { silent: true, env: { DOCKER_HOST: runtime.dockerHost } },
      );
      const labels = JSON.parse(inspect.stdout) as Record<string, string>;
      expect(labels['org.opencontainers.image.created']).toBe('2026-11-30T12:00:00.000Z');
    }
    expect(first.recorder.text()).not.toContain('the image is dated now');
    expect(second.recorder.text()).not.toContain('the image is dated now');
  }, 600_000);
});
