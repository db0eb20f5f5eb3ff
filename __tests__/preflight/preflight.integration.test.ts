/**
 * The preflight through the bundle (`node dist/index.js`; run `npm run build` first) with the real
 * container runtime: small variants of app/ that each break one item of the app contract are built
 * offline (emulation/container-runtime/runtime.sh) and run as the instances would run them. Each
 * must fail with its own failure reason, its contract item and its hint, before anything is pushed
 * or planned; app/ itself, and a root that redirects on the same site, pass.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  registryDigest,
  startContainerRuntime,
  type ContainerRuntime,
} from '../../emulation/containerRuntime';
import { runAction, type ActionRun } from '../../emulation/runAction';
import { commitDirectory } from '../support/gitCommit';

const APP = resolve(__dirname, '../../app');

let runtime: ContainerRuntime;
const workspaces: string[] = [];

beforeAll(async () => {
  runtime = await startContainerRuntime();
}, 600_000);

afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

/** A change to one file of the copy: `find` must be there, so a drift of app/ fails loudly. */
type Edit = [file: string, find: string, replace: string];

/** A git repository holding a copy of app/ with the edits, committed: the workspace of one run. */
function appVariant(edits: Edit[]): { dir: string; commit: string } {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-app-'));
  workspaces.push(dir);
  cpSync(APP, dir, { recursive: true });
  for (const [file, find, replace] of edits) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(find)) throw new Error(`app/${file} no longer contains ${find}`);
    writeFileSync(path, text.replace(find, replace));
  }
  // buildah's layer cache ignores build-arg values: a file naming the variant keeps builds apart.
  writeFileSync(join(dir, 'web/release.txt'), `${randomBytes(8).toString('hex')}\n`);
  return { dir, commit: commitDirectory(dir) };
}

function environment(dir: string, commit: string): Record<string, string> {
  return { GITHUB_SHA: commit, GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir, DOCKER_HOST: runtime.dockerHost };
}

const BUILD_INPUTS = () => ({
  'aws-region': 'eu-west-1',
  'build-context': '.',
  'build-args': `PYTHON_IMAGE=${runtime.baseImage}`,
});

/** The preflight command on a variant: builds locally, pushes nothing. */
async function preflight(edits: Edit[]): Promise<ActionRun> {
  const { dir, commit } = appVariant(edits);
  return runAction({ command: 'preflight', ...BUILD_INPUTS() }, environment(dir, commit));
}

const MIDDLEWARE_FIRST = '    "web.middleware.HealthCheckMiddleware",\n';
const HEALTH_ANSWER =
  'return JsonResponse({"status": "ok", "version": settings.APP_VERSION, "commit": settings.APP_COMMIT})';

const VIOLATIONS: {
  name: string;
  edits: Edit[];
  reason: string;
  says: RegExp;
  hint: RegExp;
}[] = [
  {
    name: 'an app that migrates its SQLite file under the read-only root at start',
    edits: [
      [
        'hadjango/settings.py',
        '    "django.contrib.staticfiles",\n',
        '    "django.contrib.contenttypes",\n    "django.contrib.staticfiles",\n',
      ],
      // app/'s migrate does nothing without a configured database: this variant names a SQLite
      // file beside the code as its DATABASE_URL, the way an app adopted from a tutorial does.
      [
        'Dockerfile',
        'CMD ["gunicorn", "--config", "gunicorn.conf.py"]',
        'ENV DATABASE_URL=sqlite:////app/db.sqlite3\nCMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn --config gunicorn.conf.py"]',
      ],
    ],
    reason: 'preflight-app-exited',
    says: /the container exited at start/,
    hint: /read-only root filesystem/,
  },
  {
    name: 'gunicorn bound to 127.0.0.1',
    edits: [['gunicorn.conf.py', 'bind = ["0.0.0.0:8000"]', 'bind = ["127.0.0.1:8000"]']],
    reason: 'preflight-not-listening',
    says: /nothing answered \/health\/ on the published port/,
    hint: /Bind gunicorn to 0\.0\.0\.0:8000/,
  },
  {
    name: 'a health view routed through Django URL routing (400 to the private-IP Host)',
    edits: [
      ['hadjango/settings.py', MIDDLEWARE_FIRST, ''],
      [
        'hadjango/urls.py',
        '    path("", views.home, name="home"),\n',
        '    path("", views.home, name="home"),\n    path("health/", views.health),\n',
      ],
    ],
    reason: 'preflight-health-failed',
    says: /health path answers 2xx to Host: 10\.0\.1\.23.*answered 400/,
    hint: /host validation/,
  },
  {
    name: 'a health answer without the commit',
    edits: [
      [
        'web/views.py',
        HEALTH_ANSWER,
        'return JsonResponse({"status": "ok", "version": settings.APP_VERSION})',
      ],
    ],
    reason: 'preflight-commit-missing',
    says: /the answer has no "commit"/,
    hint: /REVISION/,
  },
  {
    name: 'a root that redirects off the site',
    edits: [
      [
        'web/views.py',
        'def home(request: HttpRequest) -> HttpResponse:\n',
        'def home(request: HttpRequest) -> HttpResponse:\n    return HttpResponsePermanentRedirect("http://elsewhere.example/")\n',
      ],
      [
        'web/views.py',
        'from django.http import',
        'from django.http import HttpResponsePermanentRedirect\nfrom django.http import',
      ],
    ],
    reason: 'preflight-page-failed',
    says: /invalid\/ answered 301 -> http:\/\/elsewhere\.example\//,
    hint: /follows redirects only on http:\/\/preflight\.ha-django-deploy\.invalid/,
  },
];

describe('the preflight command', () => {
  it('passes app/ itself, and pushes nothing', async () => {
    const run = await preflight([]);
    expect(run.stdout).toContain('Preflight passed');
    expect(run.stdout).toMatch(/\/health\/ answered 200 to Host: 10\.0\.1\.23 with commit [0-9a-f]{40}/);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['failure-reason']).toBeUndefined();
  }, 600_000);

  it('follows a redirect that stays on the site', async () => {
    const run = await preflight([
      [
        'hadjango/urls.py',
        'path("", views.home, name="home"),',
        'path("", RedirectView.as_view(url="/home/", permanent=True)),\n    path("home/", views.home),',
      ],
      [
        'hadjango/urls.py',
        'from django.urls import path',
        'from django.urls import path\nfrom django.views.generic import RedirectView',
      ],
    ]);
    expect(run.stdout).toContain('Preflight passed');
    expect(run.exitCode).toBe(0);
  }, 600_000);

  it.each(VIOLATIONS)(
    'fails $name with $reason, the contract item, the app output and the hint',
    async (violation) => {
      const run = await preflight(violation.edits);
      expect(run.exitCode).not.toBe(0);
      expect(run.outputs['failure-reason']).toBe(violation.reason);
      expect(run.stdout).toMatch(violation.says);
      expect(run.stdout).toMatch(violation.hint);
      expect(run.stdout).toContain('Nothing was pushed or planned.');
      expect(run.stdout).toMatch(/app\| /);
      // The throwaway secret key never reaches the log (the only key in it is the Dockerfile's own).
      expect(run.stdout).not.toMatch(/DJANGO_SECRET_KEY=(?!collectstatic-at-build-time-only)/);
      if (process.env.PREFLIGHT_TEST_ECHO) process.stdout.write(run.stdout);
    },
    600_000,
  );
});

describe('deploy', () => {
  it('stops a contract violation before any push or plan', async () => {
    const { dir, commit } = appVariant(VIOLATIONS[3]!.edits);
    const path = `ci/preflight-${randomBytes(4).toString('hex')}`;
    const run = await runAction(
      {
        ...BUILD_INPUTS(),
        'image-repository': `${runtime.registry}/${path}`,
        'dockerhub-username': runtime.username,
        'dockerhub-token': runtime.password,
        'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
      },
      environment(dir, commit),
    );
    expect(run.outputs['failure-reason']).toBe('preflight-commit-missing');
    expect(run.stdout).not.toContain('terraform');
    expect(registryDigest(runtime, path, commit)).toBeUndefined();
  }, 600_000);
});
