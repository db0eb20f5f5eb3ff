/**
 * Reads what django-migration-linter (`manage.py lintmigrations`) printed. Pure.
 *
 * Its format (6.x): one line per migration, `(<app>, <name>)... <result>` where the result is
 * OK, IGNORE, WARNING or ERR, optionally followed by ` (cached)` or ` (ignored)`; then one
 * tab-indented line per issue it found in that migration (`<rule text> (table: t, column: c)`).
 * Anything else (its summary, Django's own warnings, a line cut by SSM's output limit) is skipped.
 */

export type LintResult = 'ok' | 'ignored' | 'warning' | 'incompatible';

export interface LintedMigration {
  /** `app.name`, as Django's `showmigrations` and the app's start-time check name it. */
  name: string;
  result: LintResult;
  /** The linter's words for each issue: the rule broken, and where. */
  issues: string[];
}

const MIGRATION_LINE = /^\((\S+), (\S+)\)\.\.\. (OK|IGNORE|WARNING|ERR)\b/;
const RESULTS: Record<'OK' | 'IGNORE' | 'WARNING' | 'ERR', LintResult> = {
  OK: 'ok',
  IGNORE: 'ignored',
  WARNING: 'warning',
  ERR: 'incompatible',
};

export function parseLinterOutput(output: string): LintedMigration[] {
  const migrations: LintedMigration[] = [];
  for (const line of output.split(/\r?\n/)) {
    const [, app, migration, result] = MIGRATION_LINE.exec(line) ?? [];
    if (app && migration && result) {
      migrations.push({
        name: `${app}.${migration}`,
        result: RESULTS[result as keyof typeof RESULTS],
        issues: [],
      });
      continue;
    }
    const issue = line.startsWith('\t') ? line.trim() : '';
    const current = migrations[migrations.length - 1];
    if (issue !== '' && current) current.issues.push(issue);
  }
  return migrations;
}

/** The migrations the release adds, as a reviewer or the log names them: ignored ones were applied. */
export function unappliedMigrations(migrations: LintedMigration[]): LintedMigration[] {
  return migrations.filter((migration) => migration.result !== 'ignored');
}

/** `app.0002_x (RENAMING columns (table: t, column: c); DROPPING ...)`, one per incompatible migration. */
export function describeIncompatible(migrations: LintedMigration[]): string[] {
  return migrations
    .filter((migration) => migration.result === 'incompatible')
    .map((migration) =>
      migration.issues.length > 0 ? `${migration.name} (${migration.issues.join('; ')})` : migration.name,
    );
}
