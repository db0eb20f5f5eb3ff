"""The `default` database, from the environment; app/README.md ("Database") lists the variables.

Three ways, first match wins:
- DATABASE_URL: a database the team brings (any URL dj-database-url understands).
- DATABASE_HOST (+ PORT, NAME, USER and DATABASE_PASSWORD_FILE): the stack's RDS instance, whose
  master password RDS keeps, and rotates, in Secrets Manager. The host writes the secret to a file
  and refreshes it; the hadjango.postgres backend reads it at every new connection.
- neither: no shared database. Django still needs a `default`, so it is a per-process SQLite file
  nothing in the app touches (sessions live in signed cookies, the notes page says it is off).
"""

from pathlib import Path

import dj_database_url

from hadjango import env

# Long enough to spare a TLS handshake and authentication on most requests, short enough that a
# worker's connections turn over after a Multi-AZ failover; CONN_HEALTH_CHECKS drops a connection
# that died with the old primary before a request uses it, instead of failing that request.
DEFAULT_CONN_MAX_AGE = 60
# Below gunicorn's 30 s worker timeout, above the host's 15 s refresh of the password file.
DEFAULT_PASSWORD_WAIT_SECONDS = 25
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def configured() -> bool:
    """Whether a shared database was given (DATABASE_URL or DATABASE_HOST)."""
    return bool(env.string("DATABASE_URL") or env.string("DATABASE_HOST"))


def default_database(base_dir: Path) -> dict:
    if env.string("DATABASE_URL"):
        database = from_url()
    elif env.string("DATABASE_HOST"):
        database = from_parts()
    else:
        return dj_database_url.parse(f"sqlite:///{base_dir / 'db.sqlite3'}")
    database["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", default=DEFAULT_CONN_MAX_AGE)
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"].endswith("postgresql"):
        database["OPTIONS"] = {**postgres_options(), **database.get("OPTIONS", {})}
        use_password_file(database)
    return database


def from_url() -> dict:
    url = env.string("DATABASE_URL")
    try:
        return dj_database_url.parse(url)
    except ValueError:
        # Never echo the URL: it holds the password.
        scheme = url.partition("://")[0] if "://" in url else "(none)"
        raise env.ConfigError(
            f"DATABASE_URL has the scheme {scheme!r}, which is not a database URL; use e.g. "
            "postgres://USER:PASSWORD@HOST:5432/NAME"
        ) from None


def from_parts() -> dict:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": env.string("DATABASE_HOST"),
        "PORT": env.integer("DATABASE_PORT", default=5432),
        "NAME": env.string("DATABASE_NAME", default="postgres"),
        "USER": required("DATABASE_USER", "the database's master user name"),
        "PASSWORD": "",
        "PASSWORD_FILE": required("DATABASE_PASSWORD_FILE", "the file the host writes the master secret to"),
    }


def postgres_options() -> dict:
    """TLS unless DATABASE_URL's own sslmode says otherwise (RDS's parameter group refuses plain ones)."""
    root_certificate = env.string("DATABASE_SSLROOTCERT")
    ssl_mode = env.string("DATABASE_SSLMODE", default="verify-full" if root_certificate else "require")
    if ssl_mode not in SSL_MODES:
        raise env.ConfigError(f"DATABASE_SSLMODE={ssl_mode!r} is not a libpq sslmode; use one of {list(SSL_MODES)}")
    options = {"sslmode": ssl_mode, "connect_timeout": env.integer("DATABASE_CONNECT_TIMEOUT", default=5)}
    if root_certificate:
        options["sslrootcert"] = root_certificate
    return options


def use_password_file(database: dict) -> None:
    """Route a database whose password lives in a file through the backend that re-reads it."""
    database["PASSWORD_FILE"] = database.get("PASSWORD_FILE") or env.string("DATABASE_PASSWORD_FILE")
    if not database["PASSWORD_FILE"]:
        del database["PASSWORD_FILE"]
        return
    database["ENGINE"] = "hadjango.postgres"
    database["PASSWORD_WAIT_SECONDS"] = env.integer(
        "DATABASE_PASSWORD_WAIT_SECONDS", default=DEFAULT_PASSWORD_WAIT_SECONDS
    )


def required(name: str, meaning: str) -> str:
    value = env.string(name)
    if not value:
        raise env.ConfigError(f"{name} is not set; it is required with DATABASE_HOST ({meaning})")
    return value
