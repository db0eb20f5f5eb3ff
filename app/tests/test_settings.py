import subprocess

import pytest

from hadjango.env import ConfigError
from tests.live_server import APP_DIR, PYTHON, production_env

SECRET = "s" * 50


@pytest.mark.parametrize("secret", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_production_refuses_to_start_without_a_secret_key(load_settings, secret):
    environment = {} if secret is None else {"DJANGO_SECRET_KEY": secret}

    with pytest.raises(ConfigError, match="DJANGO_SECRET_KEY is not set"):
        load_settings(**environment)


def test_manage_py_reports_a_missing_secret_key_in_one_line_not_a_traceback():
    environment = production_env()
    del environment["DJANGO_SECRET_KEY"]

    result = subprocess.run(
        [PYTHON, "manage.py", "check"], cwd=APP_DIR, env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "hadjango: configuration error: DJANGO_SECRET_KEY is not set; it is required unless DJANGO_DEBUG=true. "
        "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    ]


def test_debug_runs_without_a_secret_key_on_a_development_one(load_settings):
    loaded = load_settings(DJANGO_DEBUG="true")

    assert loaded["DEBUG"] is True
    assert loaded["SECRET_KEY"].startswith("django-insecure-")


def test_production_is_the_default(load_settings):
    loaded = load_settings(DJANGO_SECRET_KEY=SECRET)

    assert loaded["DEBUG"] is False
    assert loaded["SECRET_KEY"] == SECRET
    assert loaded["ALLOWED_HOSTS"] == []


def test_allowed_hosts_and_csrf_origins_are_comma_separated_lists(load_settings):
    loaded = load_settings(
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS=" app.example.com, my-alb-123.eu-west-1.elb.amazonaws.com ,",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://app.example.com,http://my-alb-123.eu-west-1.elb.amazonaws.com",
    )

    assert loaded["ALLOWED_HOSTS"] == ["app.example.com", "my-alb-123.eu-west-1.elb.amazonaws.com"]
    assert loaded["CSRF_TRUSTED_ORIGINS"] == [
        "https://app.example.com",
        "http://my-alb-123.eu-west-1.elb.amazonaws.com",
    ]


@pytest.mark.parametrize("origin", ["app.example.com", "ftp://app.example.com", "https://"])
def test_a_csrf_origin_without_scheme_and_host_is_refused(load_settings, origin):
    with pytest.raises(ConfigError, match="DJANGO_CSRF_TRUSTED_ORIGINS"):
        load_settings(DJANGO_SECRET_KEY=SECRET, DJANGO_CSRF_TRUSTED_ORIGINS=origin)


def test_https_turns_on_redirects_secure_cookies_and_hsts(load_settings):
    loaded = load_settings(DJANGO_SECRET_KEY=SECRET, DJANGO_HTTPS="true")

    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 31536000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_plain_http_sites_get_no_hsts_and_no_secure_only_cookies(load_settings):
    loaded = load_settings(DJANGO_SECRET_KEY=SECRET, DJANGO_HSTS_SECONDS="600")

    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["CSRF_COOKIE_SECURE"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0


def test_hsts_preload_check_is_silenced_only_while_preload_is_off(load_settings):
    assert "security.W021" in load_settings(DJANGO_SECRET_KEY=SECRET)["SILENCED_SYSTEM_CHECKS"]
    assert load_settings(DJANGO_SECRET_KEY=SECRET, DJANGO_HSTS_PRELOAD="true")["SILENCED_SYSTEM_CHECKS"] == []


def test_the_albs_forwarded_proto_is_trusted_unless_turned_off(load_settings):
    assert load_settings(DJANGO_SECRET_KEY=SECRET)["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert "SECURE_PROXY_SSL_HEADER" not in load_settings(
        DJANGO_SECRET_KEY=SECRET, DJANGO_TRUST_X_FORWARDED_PROTO="false"
    )


def test_database_defaults_to_sqlite_and_follows_database_url(load_settings):
    default = load_settings(DJANGO_SECRET_KEY=SECRET)["DATABASES"]["default"]
    postgres = load_settings(DJANGO_SECRET_KEY=SECRET, DATABASE_URL="postgres://web:pw@db.internal:5432/site")[
        "DATABASES"
    ]["default"]

    assert default["ENGINE"] == "django.db.backends.sqlite3"
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"]) == ("db.internal", 5432, "site")


@pytest.mark.parametrize(
    ("name", "value"), [("DJANGO_DEBUG", "maybe"), ("DJANGO_HTTPS", "enabled"), ("DJANGO_HSTS_SECONDS", "1 year")]
)
def test_malformed_values_are_refused_naming_the_variable(load_settings, name, value):
    environment = {"DJANGO_SECRET_KEY": SECRET, "DJANGO_HTTPS": "true", name: value}

    with pytest.raises(ConfigError, match=name):
        load_settings(**environment)


def test_the_stacks_database_comes_in_pieces_with_tls_and_a_rotating_password(load_settings):
    pieces = {"DATABASE_HOST": "db.internal", "DATABASE_USER": "app", "DATABASE_PASSWORD_FILE": "/run/db/secret"}
    database = load_settings(DJANGO_SECRET_KEY=SECRET, **pieces)["DATABASES"]["default"]
    verified = load_settings(DJANGO_SECRET_KEY=SECRET, DATABASE_SSLROOTCERT="/etc/rds-ca.pem", **pieces)

    assert database["ENGINE"] == "hadjango.postgres"
    assert (database["HOST"], database["PORT"], database["USER"]) == ("db.internal", 5432, "app")
    assert database["PASSWORD_FILE"] == "/run/db/secret"
    assert database["OPTIONS"]["sslmode"] == "require"
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert verified["DATABASES"]["default"]["OPTIONS"]["sslmode"] == "verify-full"
    assert verified["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_without_a_database_sessions_live_in_signed_cookies(load_settings):
    settings = load_settings(DJANGO_SECRET_KEY=SECRET)

    assert settings["DATABASE_CONFIGURED"] is False
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.signed_cookies"


def test_a_database_urls_own_sslmode_wins(load_settings):
    database = load_settings(DJANGO_SECRET_KEY=SECRET, DATABASE_URL="postgres://u:p@db/site?sslmode=verify-ca")[
        "DATABASES"
    ]["default"]

    assert database["OPTIONS"]["sslmode"] == "verify-ca"
    assert database["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"DATABASE_HOST": "db", "DATABASE_PASSWORD_FILE": "/f"}, "DATABASE_USER"),
        ({"DATABASE_HOST": "db", "DATABASE_USER": "app"}, "DATABASE_PASSWORD_FILE"),
        ({"DATABASE_URL": "postgres://u:p@db/site", "DATABASE_SSLMODE": "always"}, "DATABASE_SSLMODE"),
        ({"DATABASE_URL": "mongodb://u:hunter2@db/site"}, "DATABASE_URL has the scheme 'mongodb'"),
        ({"DATABASE_URL": "db.internal:5432"}, "DATABASE_URL has the scheme '\\(none\\)'"),
    ],
)
def test_incomplete_database_settings_are_refused_naming_the_variable(load_settings, environment, named):
    with pytest.raises(ConfigError, match=named) as refused:
        load_settings(DJANGO_SECRET_KEY=SECRET, **environment)

    assert "hunter2" not in str(refused.value)
