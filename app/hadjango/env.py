"""Typed readers for the environment variables the settings are built from.

Every reader treats an empty value as unset (user-data templates often render a missing value as
an empty string) and raises ConfigError naming the variable, so a bad deploy stops at startup with
a message an operator can act on.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(ImproperlyConfigured):
    """A required environment variable is missing or holds a value the settings cannot use."""


def string(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def boolean(name: str, default: bool) -> bool:
    value = string(name).lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean; use one of {sorted(TRUE_WORDS | FALSE_WORDS)}")


def integer(name: str, default: int) -> int:
    value = string(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not an integer") from None


def csv(name: str) -> list[str]:
    """A comma-separated list; blanks around and between items are ignored."""
    return [item.strip() for item in string(name).split(",") if item.strip()]


def origins(name: str) -> list[str]:
    """A comma-separated list of origins such as https://app.example.com, each with its scheme."""
    values = csv(name)
    for value in values:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"{name} holds {value!r}; each origin needs a scheme and a host, e.g. https://app.example.com"
            )
    return values
