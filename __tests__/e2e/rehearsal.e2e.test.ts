/**
 * The one-command rehearsal, `scripts/rehearse.sh`, with a Django project that is NOT app/: a
 * catalog with a model and its migration, a root that redirects to /catalog/, whitenoise serving
 * its static files, and the README's app contract done the smallest way (a health middleware
 * first, settings from the environment, gunicorn on 0.0.0.0:8000, a non-root user). It is written
 * here, twice (release one, then release two with a changed page), and both contexts go through
 * the rehearsal: the first creates the stack, the second rolls out over it and must serve the new
 * code. The project uses the stack's defaults (database, migrations) as the demo's inputs set them,
 * so it runs with whatever those become.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../scripts/rehearse.sh');

/** The project's files; `release` names the release on its catalog page. */
function catalogProject(release: string): Record<string, string> {
  return {
    Dockerfile: [
      '# PYTHON_IMAGE: the official image on a runner; the rehearsal passes its offline base image.',
      'ARG PYTHON_IMAGE=python:3.12-slim-bookworm',
      'FROM ${PYTHON_IMAGE}',
      'ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1',
      'RUN python3 -m venv /opt/venv',
      'COPY requirements.txt /tmp/requirements.txt',
      'RUN /opt/venv/bin/pip install --only-binary=:all: -r /tmp/requirements.txt',
      'WORKDIR /srv',
      'COPY . .',
      'RUN DJANGO_SECRET_KEY=build-only /opt/venv/bin/python manage.py collectstatic --noinput',
      'ARG VERSION=dev',
      'ARG REVISION=unknown',
      'ENV PATH="/opt/venv/bin:${PATH}" APP_VERSION="${VERSION}" APP_COMMIT="${REVISION}"',
      'USER 10001:10001',
      'EXPOSE 8000',
      'CMD ["gunicorn", "--config", "gunicorn.conf.py"]',
    ].join('\n'),
    'requirements.txt': [
      'Django==5.2.19',
      'gunicorn==27.0.1',
      'whitenoise==6.12.0',
      'psycopg[binary]==3.3.9',
      'django-migration-linter==6.0.0',
    ].join('\n'),
    'gunicorn.conf.py': [
      'import os',
      'wsgi_app = "shelf.wsgi:application"',
      'bind = ["0.0.0.0:8000"]',
      'workers = int(os.environ.get("WEB_CONCURRENCY", "2"))',
      'worker_tmp_dir = "/dev/shm"',
      'keepalive = 75',
      'graceful_timeout = 25',
      'control_socket_disable = True',
      'accesslog = "-"',
    ].join('\n'),
    'manage.py': [
      'import os',
      'import sys',
      'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")',
      'from django.core.management import execute_from_command_line',
      'execute_from_command_line(sys.argv)',
    ].join('\n'),
    'shelf/__init__.py': '',
    'shelf/wsgi.py': [
      'import os',
      'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")',
      'from django.core.wsgi import get_wsgi_application',
      'application = get_wsgi_application()',
    ].join('\n'),
    'shelf/health.py': [
      'import os',
      'from django.http import JsonResponse',
      '',
      '',
      'class HealthMiddleware:',
      '    """First in MIDDLEWARE: the load balancer asks with its private IP as Host."""',
      '',
      '    def __init__(self, get_response):',
      '        self.get_response = get_response',
      '',
      '    def __call__(self, request):',
      '        if request.path_info == "/health/":',
      '            return JsonResponse({"status": "ok", "version": os.environ.get("APP_VERSION"), "commit": os.environ.get("APP_COMMIT")})',
      '        return self.get_response(request)',
    ].join('\n'),
    'shelf/settings.py': [
      'import json',
      'import os',
      'from pathlib import Path',
      '',
      'BASE_DIR = Path(__file__).resolve().parent.parent',
      'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
      'DEBUG = False',
      'ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]',
      'CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]',
      'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")',
      'INSTALLED_APPS = ["django.contrib.staticfiles", "django_migration_linter", "catalog"]',
      'MIDDLEWARE = [',
      '    "shelf.health.HealthMiddleware",',
      '    "django.middleware.security.SecurityMiddleware",',
      '    "whitenoise.middleware.WhiteNoiseMiddleware",',
      '    "django.middleware.common.CommonMiddleware",',
      ']',
      'ROOT_URLCONF = "shelf.urls"',
      'TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]',
      'WSGI_APPLICATION = "shelf.wsgi.application"',
      '',
      '',
      'def database():',
      '    if not os.environ.get("DATABASE_HOST"):',
      '        return {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/catalog.sqlite3"}',
      '    return {',
      '        "ENGINE": "django.db.backends.postgresql",',
      '        "HOST": os.environ["DATABASE_HOST"],',
      '        "PORT": os.environ.get("DATABASE_PORT", "5432"),',
      '        "NAME": os.environ["DATABASE_NAME"],',
      '        "USER": os.environ["DATABASE_USER"],',
      '        # The stack writes the RDS-managed secret as Secrets Manager holds it: JSON.',
      '        "PASSWORD": json.loads(Path(os.environ["DATABASE_PASSWORD_FILE"]).read_text())["password"],',
      '        "OPTIONS": {"sslmode": "require"},',
      '    }',
      '',
      '',
      'DATABASES = {"default": database()}',
      'STATIC_URL = "static/"',
      'STATIC_ROOT = BASE_DIR / "staticfiles"',
      'STORAGES = {',
      '    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},',
      '    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},',
      '}',
      'USE_TZ = True',
      'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
    ].join('\n'),
    'shelf/urls.py': [
      'from django.urls import path',
      'from django.views.generic import RedirectView',
      'from catalog import views',
      '',
      'urlpatterns = [',
      '    path("", RedirectView.as_view(url="/catalog/", permanent=False)),',
      '    path("catalog/", views.index),',
      ']',
    ].join('\n'),
    'catalog/__init__.py': '',
    'catalog/models.py': [
      'from django.db import models',
      '',
      '',
      'class Book(models.Model):',
      '    title = models.CharField(max_length=200)',
      '    isbn = models.CharField(max_length=13, unique=True)',
    ].join('\n'),
    'catalog/migrations/__init__.py': '',
    'catalog/migrations/0001_initial.py': [
      'from django.db import migrations, models',
      '',
      '',
      'class Migration(migrations.Migration):',
      '    initial = True',
      '    dependencies = []',
      '    operations = [',
      '        migrations.CreateModel(',
      '            name="Book",',
      '            fields=[',
      '                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),',
      '                ("title", models.CharField(max_length=200)),',
      '                ("isbn", models.CharField(max_length=13, unique=True)),',
      '            ],',
      '        ),',
      '    ]',
    ].join('\n'),
    // The page reads no table: the emulated stacks may run without a database.
    'catalog/views.py': [
      'from django.shortcuts import render',
      'from catalog.models import Book',
      '',
      '',
      'def index(request):',
      '    fields = [field.name for field in Book._meta.get_fields()]',
      '    return render(request, "catalog/index.html", {"fields": fields})',
    ].join('\n'),
    'catalog/templates/catalog/index.html': [
      '{% load static %}<!doctype html>',
      `<html><head><title>Catalog ${release}</title>`,
      '<link rel="stylesheet" href="{% static \'catalog/site.css\' %}"></head>',
      '<body><h1>Books</h1><p>{{ fields|join:", " }}</p></body></html>',
    ].join('\n'),
    'catalog/static/catalog/site.css': 'body { font-family: sans-serif; }',
  };
}

function writeProject(dir: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), `${text}\n`);
  }
  return dir;
}

/** The rehearsal as a person runs it (setup aside: the suite's machine is set up). */
function rehearse(...contexts: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn('bash', [SCRIPT, '--no-setup', ...contexts], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (status) => {
      resolveRun({ status, output });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rehearsal-suite-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('a build context without a Dockerfile is refused before anything starts', () => {
  const files = catalogProject('one');
  delete files.Dockerfile;
  const context = writeProject(join(dir, 'no-dockerfile'), files);
  const result = spawnSync('bash', [SCRIPT, '--no-setup', context], { encoding: 'utf8' });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(`build context ${context}: no Dockerfile in it`);
  expect(result.stdout).not.toContain('EMULATED');
});

test('a Django project that is not app/ rehearses two releases: the second rolls out and serves the new code', async () => {
  const one = writeProject(join(dir, 'release-one'), catalogProject('release one'));
  const two = writeProject(join(dir, 'release-two'), catalogProject('release two'));
  const started = Date.now();
  const { status, output } = await rehearse(one, two);
  console.log(`rehearsal of two releases: ${Math.round((Date.now() - started) / 1000)} s wall time`);
  if (status !== 0) console.log(output.slice(-20_000));
  expect(status).toBe(0);
  const commits = [...output.matchAll(/== release \d: .* \(commit ([0-9a-f]{40}),/g)].map(
    (match) => match[1],
  );
  expect(commits).toHaveLength(2);
  expect(commits[0]).not.toBe(commits[1]);
  expect(output).toMatch(/release 1: DEPLOYED in \d+ s \(refresh NotNeeded\)/);
  // The second release changes the launch template and rolls out over the first.
  expect(output).toMatch(/release 2: DEPLOYED in \d+ s \(refresh Successful\)/);
  expect(output).toContain('release 1 serves: GET / -> 302 /catalog/ -> 200 "Catalog release one"');
  expect(output).toContain('release 2 serves: GET / -> 302 /catalog/ -> 200 "Catalog release two"');
  expect(output).toMatch(new RegExp(`release 2 serves: GET /health/ -> 200 .*"commit": "${commits[1]}"`));
  expect(output).toContain('rehearsal passed: 2 release(s) asked');
}, 2_400_000);
