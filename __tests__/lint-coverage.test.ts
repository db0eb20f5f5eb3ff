/**
 * Every TypeScript and JavaScript file of ours is formatted by Prettier and linted by ESLint: an
 * ignore pattern that matches more than it names (an unanchored `terraform/` also matched
 * src/terraform/) silently takes files out of `npm run lint`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
/** Top-level directories that are not our code: generated, or not JavaScript at all. */
const NOT_OURS = new Set(['dist', 'app', 'terraform']);
const SCRIPT = /\.(ts|js|mjs|cjs)$/;

/**
 * Our files are the ones git keeps or would keep (tracked, or new and not ignored): what setup.sh
 * installs into the checkout (.venv, node_modules) is not ours, whatever it contains.
 */
function ourScripts(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listed.split('\0').filter((path) => SCRIPT.test(path) && !NOT_OURS.has(path.split('/')[0] ?? ''));
}

/**
 * Asks both tools, in a child process: they load their configuration with dynamic imports, which
 * jest's module sandbox does not run.
 */
function ignoredBy(paths: string[]): { prettier: string[]; eslint: string[] } {
  const script = `
    import { ESLint } from 'eslint';
    import * as prettier from 'prettier';
    const paths = JSON.parse(process.argv[1]);
    const eslint = new ESLint();
    const result = { prettier: [], eslint: [] };
    for (const path of paths) {
      const info = await prettier.getFileInfo(path, { ignorePath: '.prettierignore' });
      if (info.ignored) result.prettier.push(path);
      if (await eslint.isPathIgnored(path)) result.eslint.push(path);
    }
    console.log(JSON.stringify(result));`;
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(paths)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(output) as { prettier: string[]; eslint: string[] };
}

describe('lint and format coverage', () => {
  const files = ourScripts();

  it('finds the sources, tests, benches and scripts, src/terraform/ included', () => {
    for (const directory of ['src/', 'src/terraform/', '__tests__/', 'bench/', 'scripts/']) {
      expect(files.some((file) => file.startsWith(directory))).toBe(true);
    }
  });

  it('ignores none of them in Prettier or ESLint', () => {
    expect(ignoredBy(files)).toEqual({ prettier: [], eslint: [] });
  });

  it('still ignores what is not ours at the top level', () => {
    const notOurs = ['dist/index.js', 'terraform/main.tf', 'app/web/static/web/site.css'];
    expect(ignoredBy(notOurs).prettier).toEqual(notOurs);
    expect(ignoredBy(['dist/index.js']).eslint).toEqual(['dist/index.js']);
  });
});
