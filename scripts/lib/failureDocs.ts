import { stringify } from 'yaml';
import { FAILURE_REASONS, FAILURES } from '../../src/failures';
import { cell, withGeneratedSection } from './markdownTables';

/** The README's failure table: one row per code of the catalogue, in its order. */
export function renderFailureTable(): string {
  return [
    '| `failure-reason` | meaning | what to do | app log shown |',
    '|---|---|---|---|',
    ...FAILURE_REASONS.map((reason) => {
      const { meaning, whatToDo, showsAppLog } = FAILURES[reason];
      return `| \`${reason}\` | ${cell(meaning)} | ${cell(whatToDo)} | ${showsAppLog ? 'yes' : 'no'} |`;
    }),
  ].join('\n');
}

export const FAILURE_TABLE_START =
  '<!-- failure-table:start (generated from src/failures/ by `npm run docs`) -->';
export const FAILURE_TABLE_END = '<!-- failure-table:end -->';

/** The README with its failure table replaced by what the catalogue says now. */
export function readmeWithFailureTable(readme: string): string {
  return withGeneratedSection(
    readme,
    { start: FAILURE_TABLE_START, end: FAILURE_TABLE_END },
    renderFailureTable(),
    'README.md',
  );
}

/** The `failure-reason` output's description: every code the action can set. */
export function failureReasonDescription(): string {
  return (
    `Stable code for why the run failed, empty on success. One of ${FAILURE_REASONS.join(', ')} ` +
    "(the README's Failure reasons table says what each means and what to do)."
  );
}

const FAILURE_REASON_OUTPUT = /^( {2}failure-reason:\n {4}description: ).*$/m;

/** action.yml with the `failure-reason` output's description generated from the catalogue. */
export function actionWithFailureReasons(action: string): string {
  if (!FAILURE_REASON_OUTPUT.test(action))
    throw new Error('action.yml lacks the failure-reason output with a one-line description');
  const description = stringify(failureReasonDescription(), { lineWidth: 0 }).trimEnd();
  return action.replace(FAILURE_REASON_OUTPUT, (_line, key: string) => `${key}${description}`);
}
