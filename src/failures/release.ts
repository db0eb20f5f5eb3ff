import type { FailureDescription } from './description';

/** The release phase: the migration check and the migration, run once before the refresh (deploy). */
export const RELEASE_FAILURES = {
  'migration-failed': {
    meaning:
      "the release's migration exited non-zero on the one-off container; no instance was replaced, and its last output lines are in the message",
    whatToDo:
      'Read its last lines, fix the migration or the database connection, and deploy again; the previous release keeps serving.',
    showsAppLog: false,
  },
  'migration-timeout': {
    meaning:
      'the migration check or the migration outlasted `migration-timeout-seconds` and was stopped; no instance was replaced',
    whatToDo:
      'Find the lock wait or long data migration in its last lines; make it faster or split it, or raise `migration-timeout-seconds`.',
    showsAppLog: false,
  },
  'migration-incompatible': {
    meaning:
      'django-migration-linter flagged an unapplied migration as backward incompatible (the message names each migration and rule); nothing was changed',
    whatToDo:
      'Split the change into expand and contract releases, or set `allow-incompatible-migrations: true`, accepting that a rollback cannot restore the old schema.',
    showsAppLog: false,
  },
  'migration-check-failed': {
    meaning:
      'the migration check itself failed without naming a migration (for example, the linter is not installed)',
    whatToDo:
      'Fix `migration-check-command` or install django-migration-linter in the image, or set `migration-check-command` to empty.',
    showsAppLog: false,
  },
} as const satisfies Record<string, FailureDescription>;
