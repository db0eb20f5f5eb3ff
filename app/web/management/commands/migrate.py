"""`manage.py migrate` under a PostgreSQL session advisory lock, with lock and statement timeouts.

Two deploys, a retried job or a person running it by hand must never migrate at the same time:
the second waits for the first (up to MIGRATE_WAIT_SECONDS), then finds nothing left to apply.
While migrating, a statement that waits longer than MIGRATE_LOCK_TIMEOUT_SECONDS for a lock held
by live traffic fails instead of queueing every request behind it, and none runs longer than
MIGRATE_STATEMENT_TIMEOUT_SECONDS.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import OperationalError, connections

# One key for every process migrating this database; advisory locks are scoped to the database.
MIGRATE_LOCK_KEY = 0x6861_646A_6D69_6772  # "hadjmigr"


class Command(migrate.Command):
    help = migrate.Command.help + " Holds a PostgreSQL advisory lock while it runs."

    def handle(self, *args, **options):
        if not settings.DATABASE_CONFIGURED:
            self.stdout.write("migrate: no database configured (no DATABASE_URL or DATABASE_HOST); nothing to migrate")
            return
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            self.take_lock(cursor)
            try:
                set_timeouts(cursor, settings.MIGRATE_LOCK_TIMEOUT_SECONDS, settings.MIGRATE_STATEMENT_TIMEOUT_SECONDS)
                return super().handle(*args, **options)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])

    def take_lock(self, cursor) -> None:
        """Wait for any other migrate of this database to finish, at most MIGRATE_WAIT_SECONDS."""
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        if cursor.fetchone()[0]:
            return
        self.stdout.write(f"migrate: another migrate holds the lock; waiting up to {settings.MIGRATE_WAIT_SECONDS} s")
        # lock_timeout bounds the wait for an advisory lock like any other lock.
        set_timeouts(cursor, settings.MIGRATE_WAIT_SECONDS, 0)
        try:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        except OperationalError:
            raise CommandError(
                f"another migrate still held the lock after {settings.MIGRATE_WAIT_SECONDS} s "
                "(DJANGO_MIGRATE_WAIT_SECONDS); nothing was migrated"
            ) from None
        self.stdout.write("migrate: lock acquired")


def set_timeouts(cursor, lock_timeout_seconds: int, statement_timeout_seconds: int) -> None:
    """Session-wide, so they hold for every statement of the migration (0 means none)."""
    cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{lock_timeout_seconds}s"])
    cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{statement_timeout_seconds}s"])
