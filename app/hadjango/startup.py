"""Fail fast, and readably, when the environment cannot produce valid settings."""

import os

from django.conf import settings

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
