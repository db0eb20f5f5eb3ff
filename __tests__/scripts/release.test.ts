/**
 * scripts/release.sh against real git: a clone with a bare "origin" beside it. It tags vX.Y.Z,
 * moves vX, pushes both, and refuses a bad version before tagging anything.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../scripts/release.sh');
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
let dir: string;
let clone: string;
let origin: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

function commit(changelogVersions: string[]): string {
  const sections = changelogVersions
    .map((version) => `## [${version}] - 2026-12-01\n\n- a change\n`)
    .join('\n');
  writeFileSync(join(clone, 'CHANGELOG.md'), `# Changelog\n\n## [Unreleased]\n\n${sections}`);
  git(clone, 'add', '-A');
  git(clone, 'commit', '-q', '-m', `release ${changelogVersions[0] ?? 'none'}`);
  return git(clone, 'rev-parse', 'HEAD');
}

function release(version: string) {
  const result = spawnSync('bash', [SCRIPT, version], { cwd: clone, env: GIT_ENV, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function expectRun(run: { status: number | null; output: string }, status: number, text: string): void {
  expect({ status: run.status, mentions: run.output.includes(text), output: run.output }).toEqual({
    status,
    mentions: true,
    output: run.output,
  });
}

function originTag(tag: string): string {
  return git(origin, 'rev-parse', `${tag}^{commit}`);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'release-'));
  origin = join(dir, 'origin.git');
  clone = join(dir, 'clone');
  git(dir, 'init', '-q', '--bare', origin);
  git(dir, 'clone', '-q', origin, clone);
  mkdirSync(join(clone, 'dist'));
  writeFileSync(join(clone, 'dist/index.js'), '// bundle\n');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('scripts/release.sh', () => {
  it('tags the version, moves the major tag, and pushes both', () => {
    const first = commit(['1.0.0']);
    expect(release('1.0.0')).toMatchObject({ status: 0 });
    expect([originTag('v1.0.0'), originTag('v1')]).toEqual([first, first]);

    const second = commit(['1.1.0', '1.0.0']);
    const run = release('1.1.0');
    expectRun(run, 0, 'moved v1 to it (previous release v1.0.0)');
    expect([originTag('v1.0.0'), originTag('v1.1.0'), originTag('v1')]).toEqual([first, second, second]);
  });

  it('starts a new major tag without touching the old one', () => {
    const first = commit(['1.4.2']);
    release('1.4.2');
    const second = commit(['2.0.0', '1.4.2']);
    expect(release('2.0.0')).toMatchObject({ status: 0 });
    expect([originTag('v1'), originTag('v2')]).toEqual([first, second]);
  });

  it.each([
    ['v1.0.0', 'is not MAJOR.MINOR.PATCH'],
    ['1.0', 'is not MAJOR.MINOR.PATCH'],
    ['1.0.0-rc.1', 'is not MAJOR.MINOR.PATCH'],
    ['1.0.1', "CHANGELOG.md has no '## [1.0.1] - YYYY-MM-DD' section"],
  ])('refuses %s before tagging anything', (version, reason) => {
    commit(['1.0.0']);
    expectRun(release(version), 1, reason);
    expect(git(origin, 'tag', '--list')).toBe('');
    expect(git(clone, 'tag', '--list')).toBe('');
  });

  it('refuses a version that exists or is older than the newest release', () => {
    commit(['1.2.0', '1.1.0']);
    release('1.2.0');
    expectRun(release('1.2.0'), 1, 'v1.2.0 exists already');
    expectRun(release('1.1.0'), 1, 'not newer than the newest release v1.2.0');
    expect(git(origin, 'tag', '--list').split('\n').sort()).toEqual(['v1', 'v1.2.0']);
  });
});
