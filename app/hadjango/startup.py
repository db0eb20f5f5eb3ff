"""Fail fast, and readably, when the environment cannot produce valid settings."""

import os

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from hadjango.env import ConfigError


def load_settings_or_exit() -> None:
    """Import the settings now and turn a ConfigError into one line on stderr and exit status 1.

    Called by manage.py and by gunicorn's master before it forks: otherwise each worker would die
    on import with a traceback and gunicorn would keep restarting them.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hadjango.settings")
    try:
        settings.INSTALLED_APPS  # noqa: B018 - touching a setting imports the settings module
    except ConfigError as error:
        raise SystemExit(f"hadjango: configuration error: {error}") from None


def check_migrations_or_exit() -> None:
    """Refuse to start, with one line, when the database lacks a migration this release needs.

    Run once by gunicorn's master before it forks (not by the health check, which would turn a
    database outage into every target failing at once). A release whose migrations were skipped or
    failed then never serves: its health checks fail and the instance refresh rolls it back.
    """
    if not settings.DATABASE_CONFIGURED:
        return
    django.setup()
    connection = connections["default"]
    try:
        executor = MigrationExecutor(connection)
        missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except (DatabaseError, ImproperlyConfigured) as error:
        raise SystemExit(f"hadjango: cannot check the database's migrations: {one_line(error)}") from None
    finally:
        # Workers must not inherit the master's socket.
        connections.close_all()
    if missing:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in missing)
        raise SystemExit(
            f"hadjango: the database lacks {len(missing)} migration(s) this release needs ({names}); "
            "refusing to start. Run `python manage.py migrate` with this release first (the deploy's migration step)."
        )


def one_line(error: Exception) -> str:
    return " ".join(str(error).split())
