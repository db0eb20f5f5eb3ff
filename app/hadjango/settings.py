"""Settings for hadjango, read from the environment; app/README.md lists every variable.

Production is the default: DEBUG is off unless DJANGO_DEBUG says otherwise, and then a secret key
must be supplied. Nothing here reads files or the network, so the same image runs anywhere.
"""

from pathlib import Path

from hadjango import database, env
from hadjango.jsonlog import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("DJANGO_DEBUG", default=False)

SECRET_KEY = env.string("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise env.ConfigError(
            "DJANGO_SECRET_KEY is not set; it is required unless DJANGO_DEBUG=true. Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-local-development-only"

# The ALB health checker's Host header (the instance's private IP) is not listed here: the health
# path is answered before host validation (web.middleware), so no private range has to be allowed.
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.origins("DJANGO_CSRF_TRUSTED_ORIGINS")

# The ALB terminates TLS and always overwrites X-Forwarded-Proto, and only the ALB can reach the
# instances, so the header can be trusted; without it HTTPS redirects would loop.
if env.boolean("DJANGO_TRUST_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Set when users reach the site over HTTPS (an HTTPS listener on the ALB). Secure cookies and HSTS
# on a plain-HTTP site would break CSRF and lock browsers out, so this is an explicit switch.
HTTPS = env.boolean("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.integer("DJANGO_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.boolean("DJANGO_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks for HSTS preload. Preloading is a commitment the domain's owner makes by
    # submitting the domain to browser vendors, hard to undo; the template cannot make it for them.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

INSTALLED_APPS = [
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django_migration_linter",
    "web",
]

MIDDLEWARE = [
    # First, so the ALB's health checks bypass host validation and HTTPS redirects.
    "web.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hadjango.urls"
WSGI_APPLICATION = "hadjango.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    },
]

# A shared database from DATABASE_URL or the stack's RDS pieces; without one, a SQLite file nothing
# touches (hadjango/database.py says why).
DATABASE_CONFIGURED = database.configured()
DATABASES = {"default": database.default_database(BASE_DIR)}
# No sticky sessions behind the ALB: any instance must read a session another one wrote. With a
# database they live there; without one, in cookies signed with the fleet's one SECRET_KEY.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db" if DATABASE_CONFIGURED else "django.contrib.sessions.backends.signed_cookies"
)
# `manage.py migrate` (web/management/commands/migrate.py): how long it waits for another migrate
# to finish, and how long one of its statements may wait for a lock held by live traffic or run,
# in seconds, before it fails instead of stalling the site behind it.
MIGRATE_WAIT_SECONDS = env.integer("DJANGO_MIGRATE_WAIT_SECONDS", default=600)
MIGRATE_LOCK_TIMEOUT_SECONDS = env.integer("DJANGO_MIGRATE_LOCK_TIMEOUT_SECONDS", default=5)
MIGRATE_STATEMENT_TIMEOUT_SECONDS = env.integer("DJANGO_MIGRATE_STATEMENT_TIMEOUT_SECONDS", default=300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The image runs collectstatic at build time into the default; tests and benchmarks collect into
# a scratch directory instead of the source tree.
STATIC_ROOT = env.string("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = logging_config(env.string("DJANGO_LOG_LEVEL", default="INFO"), routed_loggers=("django", "django.server"))

# The EC2 host reads instance id and zone from the instance metadata service and passes them to
# `docker run` for the home page: the container itself cannot reach IMDS (hop limit 1).
INSTANCE_ID = env.string("INSTANCE_ID", default="unknown")
AVAILABILITY_ZONE = env.string("AVAILABILITY_ZONE", default="unknown")
# Baked into the image from its build arguments; reported by /health/.
APP_VERSION = env.string("APP_VERSION", default="unknown")
APP_COMMIT = env.string("APP_COMMIT", default="unknown")
