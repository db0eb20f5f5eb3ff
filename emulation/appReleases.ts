import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ContainerRuntime } from './containerRuntime';

const APP = resolve(__dirname, '../app');

/** A change to a copy of app/: what makes one release differ from another. */
export interface AppChange {
  /**
   * Path inside app/, the text to find there, and what replaces it; an empty `find` adds a file
   * that app/ does not have (a new migration), with `replace` as its text.
   */
  file: string;
  find: string;
  replace: string;
}

const HEALTH_ANSWER =
  'return JsonResponse({"status": "ok", "version": settings.APP_VERSION, "commit": settings.APP_COMMIT})';

/** Release 2's code change: the health answer gains a field (a real edit of app/web/views.py). */
export const ANNOUNCE_RELEASE: AppChange = {
  file: 'web/views.py',
  find: HEALTH_ANSWER,
  replace: HEALTH_ANSWER.replace(
    '"status": "ok",',
    '"status": "ok", "greeting": "hello from the new release",',
  ),
};

/** A real defect: /health/ answers 500, so the ALB's checks fail with Target.ResponseCodeMismatch. */
export const HEALTH_ANSWERS_500: AppChange = {
  file: 'web/views.py',
  find: HEALTH_ANSWER,
  replace: HEALTH_ANSWER.replace('"status": "ok"', '"status": "failing"').replace(/\)$/, ', status=500)'),
};

/**
 * A real defect: the release's gunicorn config reads a variable the stack does not set (renamed
 * from WEB_CONCURRENCY), so gunicorn exits at start and the container keeps restarting. The image
 * still builds: only the server's start reads gunicorn.conf.py.
 */
export const GUNICORN_NEEDS_MISSING_VARIABLE: AppChange = {
  file: 'gunicorn.conf.py',
  find: 'workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)) + 1)',
  replace: 'workers = int(os.environ["GUNICORN_WORKERS"])  # renamed from WEB_CONCURRENCY in this release',
};

/**
 * A real defect that passes every health check and the smoke check's single page request: the
 * home page answers 500 to one request in four per gunicorn worker (the first answer is good), as a
 * query that fails under load would. Only users, and the release alarms, see it. Two edits of
 * app/web/views.py: the counter's import, and the home view.
 */
export const HOME_FAILS_ONE_IN_FOUR: AppChange[] = [
  {
    file: 'web/views.py',
    find: 'from django.conf import settings\n',
    replace: 'import itertools\n\nfrom django.conf import settings\n',
  },
  {
    file: 'web/views.py',
    find: 'def home(request: HttpRequest) -> HttpResponse:\n',
    replace:
      'def home(request: HttpRequest) -> HttpResponse:\n' +
      '    if next(HOME_REQUESTS) % 4 == 3:  # the defect: one request in four fails\n' +
      '        return HttpResponse("Server Error (500)", status=500)\n',
  },
  {
    file: 'web/views.py',
    find: 'RECENT_NOTES = 20\n',
    replace: 'RECENT_NOTES = 20\nHOME_REQUESTS = itertools.count()\n',
  },
];

export interface AppRelease {
  /** The image by digest, as the action deploys it: repo@sha256:... */
  image: string;
  version: string;
  /**
   * The commit the release was built from (REVISION, as the action's own builds pass it): its
   * revision label and its /health/ answer carry it, and the smoke check expects it.
   */
  commit: string;
}

/**
 * An additive schema change (expand): a nullable column on the notes table, and its migration. The
 * release before it keeps working against the new schema, as it must during a rolling refresh.
 */
export const NOTE_AUTHOR_COLUMN: AppChange[] = [
  {
    file: 'web/models.py',
    find: '    instance_id = models.CharField(max_length=64)\n',
    replace:
      '    instance_id = models.CharField(max_length=64)\n    author = models.CharField(max_length=80, null=True, blank=True)\n',
  },
  {
    file: 'web/migrations/0002_note_author.py',
    find: '',
    replace: [
      'from django.db import migrations, models',
      '',
      '',
      'class Migration(migrations.Migration):',
      '    dependencies = [("web", "0001_initial")]',
      '',
      '    operations = [',
      '        migrations.AddField(',
      '            model_name="note", name="author", field=models.CharField(max_length=80, null=True, blank=True)',
      '        ),',
      '    ]',
      '',
    ].join('\n'),
  },
];

/**
 * A migration that fails on the real server (PostgreSQL refuses to divide by zero): the deploy must
 * stop with migration-failed before any instance of the release is replaced. Backward compatible
 * as far as the linter can tell (no schema operation), so it reaches the migration itself.
 */
export const FAILING_MIGRATION: AppChange = {
  file: 'web/migrations/0003_backfill_authors.py',
  find: '',
  replace: [
    'from django.db import migrations',
    '',
    '',
    'class Migration(migrations.Migration):',
    '    dependencies = [("web", "0002_note_author")]',
    '',
    '    operations = [',
    '        # A data step whose query the server refuses ("division by zero").',
    '        migrations.RunSQL("SELECT 1 / 0", migrations.RunSQL.noop),',
    '    ]',
    '',
  ].join('\n'),
};

function applyChange(dir: string, change: AppChange): void {
  const path = join(dir, change.file);
  if (change.find === '') {
    if (existsSync(path)) throw new Error(`app/${change.file} exists already; the change adds it`);
    writeFileSync(path, change.replace);
    return;
  }
  const text = readFileSync(path, 'utf8');
  if (!text.includes(change.find)) throw new Error(`app/${change.file} no longer contains ${change.find}`);
  writeFileSync(path, text.replace(change.find, change.replace));
}

/** A build context to build and push as one release (`buildRelease`). */
export interface ReleaseBuild {
  /** The directory docker builds, with its `Dockerfile`. */
  context: string;
  /** The image's tag in the repository is `release-<version>`; VERSION in the image. */
  version: string;
  /** REVISION, and the image's `org.opencontainers.image.revision` label. */
  commit: string;
}

/**
 * Builds a context for real as the action's own build does (VERSION and REVISION build arguments,
 * the revision label), on the runtime's offline base image (the PYTHON_IMAGE build argument),
 * pushes it to the local registry and returns it by digest.
 */
export function buildRelease(
  runtime: ContainerRuntime,
  dockerConfig: string,
  repository: string,
  { context, version, commit }: ReleaseBuild,
): AppRelease {
  const env = { ...process.env, DOCKER_HOST: runtime.dockerHost, DOCKER_CONFIG: dockerConfig };
  const tag = `${repository}:release-${version}`;
  const docker = (args: string[]) =>
    execFileSync('docker', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // The label also keeps buildah's layer cache, which ignores ARG values, from handing this build
  // another commit's cached layers (and its APP_COMMIT).
  docker([
    'build',
    '--quiet',
    '--build-arg',
    `PYTHON_IMAGE=${runtime.baseImage}`,
    '--build-arg',
    `VERSION=${version}`,
    '--build-arg',
    `REVISION=${commit}`,
    '--label',
    `org.opencontainers.image.revision=${commit}`,
    '--tag',
    tag,
    context,
  ]);
  const pushed = docker(['push', tag]);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error(`docker push ${tag} printed no digest:\n${pushed}`);
  return { image: `${repository}@${digest}`, version, commit };
}

/**
 * Builds app/ (with the given changes, on a copy) for real, pushes it to the local registry and
 * returns it by digest. APP_VERSION in the image (and in its /health/ answer) is `version`.
 */
export function buildAppRelease(
  runtime: ContainerRuntime,
  dockerConfig: string,
  repository: string,
  version: string,
  changes: AppChange[] = [],
): AppRelease {
  const dir = mkdtempSync(join(tmpdir(), `app-release-${version}-`));
  const commit = randomBytes(20).toString('hex');
  try {
    cpSync(APP, dir, { recursive: true });
    for (const change of changes) applyChange(dir, change);
    // buildah's layer cache ignores ARG values (VERSION, REVISION): a file naming the release and
    // its commit keeps one build from being handed another's cached layers (and labels).
    writeFileSync(join(dir, 'web/release.txt'), `${version}\n${commit}\n`);
    return buildRelease(runtime, dockerConfig, repository, { context: dir, version, commit });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Logs the docker CLI into the local registry with its own config directory. */
export function loginToRegistry(runtime: ContainerRuntime, dockerConfig: string): void {
  execFileSync('docker', ['login', '--username', runtime.username, '--password-stdin', runtime.registry], {
    env: { ...process.env, DOCKER_HOST: runtime.dockerHost, DOCKER_CONFIG: dockerConfig },
    input: runtime.password,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

/**
 * The action's registry inputs for deploying a release built here: the credentials, and the
 * repository they belong to (the action sends credentials only to image-repository's registry).
 */
export function releaseRegistryInputs(runtime: ContainerRuntime, image: string): Record<string, string> {
  return {
    'image-repository': image.slice(0, image.indexOf('@')),
    'dockerhub-username': runtime.username,
    'dockerhub-token': runtime.password,
  };
}
