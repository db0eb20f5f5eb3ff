/**
 * scripts/setup.sh --runtime in a sandbox that holds the script and the files its stamps hash:
 * with the npm and .venv stamps in place it installs nothing and never reaches the linters'
 * venv, actionlint or act, which only the full setup installs; a wrong argument is refused.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const FULL_REQUIREMENTS = [
  'app/requirements.txt',
  'app/requirements-dev.txt',
  'emulation/region/requirements.txt',
];
let sandbox: string;

/** What setup.sh's stamp of these files holds: the sha256 of their concatenation. */
function stampOf(files: string[]): string {
  return execFileSync('bash', ['-c', 'cat "$@" | sha256sum | cut -c1-64', 'stamp', ...files], {
    cwd: sandbox,
    encoding: 'utf8',
  });
}

function setup(...args: string[]) {
  return spawnSync('bash', ['scripts/setup.sh', ...args], { cwd: sandbox, encoding: 'utf8' });
}

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'setup-sandbox-'));
  for (const file of ['scripts/setup.sh', 'package-lock.json', ...FULL_REQUIREMENTS]) {
    cpSync(join(ROOT, file), join(sandbox, file));
  }
  // No Debian package to check: the sandbox tests the Python and npm steps.
  writeFileSync(join(sandbox, 'scripts/apt-packages.txt'), '# none\n');
  mkdirSync(join(sandbox, 'node_modules'));
  writeFileSync(join(sandbox, 'node_modules/.setup-stamp'), stampOf(['package-lock.json']));
  mkdirSync(join(sandbox, '.venv'));
});
afterEach(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

test('--runtime accepts the full setup .venv and installs nothing else', () => {
  writeFileSync(join(sandbox, '.venv/.setup-stamp'), stampOf(FULL_REQUIREMENTS));
  const result = setup('--runtime');
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('');
  expect(result.status).toBe(0);
  expect(existsSync(join(sandbox, '.venv-tools'))).toBe(false);
});

test('--runtime accepts a .venv holding the region requirements alone', () => {
  writeFileSync(join(sandbox, '.venv/.runtime-stamp'), stampOf(['emulation/region/requirements.txt']));
  const result = setup('--runtime');
  expect(result.stdout).toBe('');
  expect(result.status).toBe(0);
  expect(existsSync(join(sandbox, '.venv-tools'))).toBe(false);
});

test('an unknown argument is refused before anything is installed', () => {
  const result = setup('--lint');
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(
    'setup: unknown argument "--lint"; usage: bash scripts/setup.sh [--runtime]',
  );
});
