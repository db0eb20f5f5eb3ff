/**
 * The failure catalogue. TypeScript holds every `DeployError` and every typed reason to its keys;
 * this suite holds what the compiler cannot see: reason codes compared as plain strings (the
 * `failure-reason` output is a string record to a test, a script or a workflow), and catalogue
 * entries that nothing emits any more.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readActionMetadata } from '../scripts/lib/actionDocs';
import { actionWithFailureReasons, readmeWithFailureTable } from '../scripts/lib/failureDocs';
import { FAILURE_REASONS, FAILURES, nextStepsFor, showsAppLog } from '../src/failures';

const ROOT = join(__dirname, '..');
const CODE = String.raw`([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`;

/**
 * Reason codes a text compares or records as plain strings: the `failure-reason` output (a test's
 * `outputs['failure-reason']`, a workflow's `outputs.failure-reason`) against a literal, a
 * `.reason` against a literal, or a `reason:` property set to one.
 */
const UNTYPED_REASON_USES = [
  new RegExp(String.raw`failure-reason['"\]]*\)?\s*(?:\.toBe\(|[!=]==?)\s*['"]${CODE}['"]`, 'g'),
  new RegExp(String.raw`\.reason\)?\s*(?:\.toBe\(|[!=]==?)\s*['"]${CODE}['"]`, 'g'),
  new RegExp(String.raw`\breason:\s*['"]${CODE}['"]`, 'g'),
];

function reasonsUsedIn(text: string): string[] {
  return UNTYPED_REASON_USES.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

const CATALOGUE_AND_ITS_SAMPLES = ['__tests__/failures.test.ts'];

/** The project's own files (what git keeps) that can compare a reason: code, scripts, workflows. */
function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listed
    .split('\n')
    .filter((path) => /\.(ts|js|mjs|ya?ml|py|sh)$/.test(path))
    .filter(
      (path) =>
        !path.startsWith('dist/') &&
        !CATALOGUE_AND_ITS_SAMPLES.includes(path) &&
        !path.startsWith('src/failures/'),
    );
}

const uses = sourceFiles().flatMap((path) =>
  reasonsUsedIn(readFileSync(join(ROOT, path), 'utf8')).map((reason) => ({ path, reason })),
);

describe('the failure catalogue', () => {
  it('finds a reason compared as a plain string, so a typo there is caught', () => {
    expect(reasonsUsedIn(`expect(run.outputs['failure-reason']).toBe('rolld-back');`)).toEqual([
      'rolld-back',
    ]);
    expect(reasonsUsedIn(`if: steps.deploy.outputs.failure-reason == 'time-out'`)).toEqual(['time-out']);
    expect(reasonsUsedIn(`expect(error.reason).toBe('no-scaleout')`)).toEqual(['no-scaleout']);
    expect(reasonsUsedIn(`{ reason: 'smoke-fail', nextSteps }`)).toEqual(['smoke-fail']);
    expect(reasonsUsedIn(`change.reason === 'replace_because_tainted'`)).toEqual([]);
  });

  it('declares every reason the sources compare or record as a plain string', () => {
    // The scan reaches the places it is meant for: the demo, the integration suites, the rollout outcomes.
    expect(uses).toEqual(
      expect.arrayContaining([
        { path: 'scripts/demo.ts', reason: 'rolled-back' },
        { path: '__tests__/rollout/emulated-rollout.integration.test.ts', reason: 'smoke-failed' },
        { path: 'src/rollout/outcome.ts', reason: 'refresh-cancelled' },
      ]),
    );
    expect(uses.filter(({ reason }) => !Object.hasOwn(FAILURES, reason))).toEqual([]);
  });

  it('has no entry that the action cannot emit', () => {
    const emitted = sourceFiles()
      .filter((path) => path.startsWith('src/'))
      .map((path) => readFileSync(join(ROOT, path), 'utf8'))
      .join('\n');
    expect(FAILURE_REASONS.filter((reason) => !emitted.includes(`'${reason}'`))).toEqual([]);
  });

  it('names each code in kebab case, with a meaning and a next step', () => {
    for (const reason of FAILURE_REASONS) {
      const { meaning, whatToDo } = FAILURES[reason];
      expect({ reason, kebab: new RegExp(`^${CODE}$`).test(reason) }).toEqual({ reason, kebab: true });
      expect({ reason, meaning: meaning.length > 10, whatToDo: whatToDo.length > 10 }).toEqual({
        reason,
        meaning: true,
        whatToDo: true,
      });
    }
  });

  it('shows the app log for a rollout that ran and failed, and for new instances that never served', () => {
    expect(FAILURE_REASONS.filter(showsAppLog).sort()).toEqual([
      'alarm-failed',
      'alarm-rolled-back',
      'new-instances-not-serving',
      'refresh-cancelled',
      'refresh-failed',
      'rollback-failed',
      'rolled-back',
      'smoke-failed',
      'timeout',
    ]);
  });

  it("prints the error's own next step, and the catalogue's when it has none", () => {
    expect(nextStepsFor('timeout', 'Raise it.')).toBe('Raise it.');
    expect(nextStepsFor('invalid-input', undefined)).toBe(FAILURES['invalid-input'].whatToDo);
    expect(nextStepsFor('unexpected-error', '  ')).toBe(FAILURES['unexpected-error'].whatToDo);
  });
});

describe('the docs generated from the catalogue (npm run docs)', () => {
  it("are the README's failure table", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(readmeWithFailureTable(readme));
    for (const reason of FAILURE_REASONS) expect(readme).toContain(`| \`${reason}\` | `);
  });

  it("are the failure-reason output's description in action.yml, naming every code", () => {
    const action = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    expect(action).toBe(actionWithFailureReasons(action));
    const description = readActionMetadata().outputs['failure-reason']?.description ?? '';
    const named = description.match(/One of ([a-z0-9, -]+) \(/)?.[1]?.split(', ');
    expect(named).toEqual(FAILURE_REASONS);
  });
});
