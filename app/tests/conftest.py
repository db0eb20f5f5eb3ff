import os
import runpy
from pathlib import Path

import pytest

import hadjango.database
import hadjango.settings
from tests.live_server import APP_VARIABLES
from tests.postgres_server import new_database, postgres_server

SETTINGS_FILE = Path(hadjango.settings.__file__)
BASE_DIR = SETTINGS_FILE.parent.parent


@pytest.fixture
def load_settings(monkeypatch):
    """Evaluate settings.py afresh under exactly the given environment; returns its globals.

    Settings are read once at import, so this is how a test sees what a process started with
    that environment would get. Variables the settings read are cleared first, so the developer's
    shell cannot leak into the result.
    """

    def load(**environment: str) -> dict:
        for name in list(os.environ):
            if (name.startswith("DJANGO_") and name != "DJANGO_SETTINGS_MODULE") or name in APP_VARIABLES:
                monkeypatch.delenv(name)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


@pytest.fixture
def unhashed_static_files(settings):
    """Render templates without a collectstatic manifest.

    Production uses whitenoise's manifest storage, which refuses to render `{% static %}` until
    collectstatic has run; the gunicorn tests collect for real and exercise that storage.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def postgres():
    with postgres_server() as server:
        yield server


@pytest.fixture
def database(postgres, tmp_path):
    """A fresh database and its own owner on the PostgreSQL server, as the app's environment gets them.

    The RDS way: host, port, name, user and a password file the host keeps current; TLS verified
    against the server's certificate.
    """
    return new_database(postgres, tmp_path)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(postgres, tmp_path_factory):
    """pytest-django's test client tests use the real server too (through hadjango.postgres)."""
    from django.conf import settings
    from django.db import connections

    environment = new_database(postgres, tmp_path_factory.mktemp("django-db"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        settings.DATABASES["default"] = hadjango.database.default_database(BASE_DIR)
    settings.DATABASE_CONFIGURED = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    connections.close_all()
    connections.settings = connections.configure_settings(settings.DATABASES)
    for alias in list(connections):
        del connections[alias]
