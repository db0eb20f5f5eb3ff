import os
import runpy
from pathlib import Path

import pytest

import hadjango.settings
from tests.live_server import APP_VARIABLES

SETTINGS_FILE = Path(hadjango.settings.__file__)


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
