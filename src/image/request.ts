/**
 * What a build asks docker for, made reproducible: tags, labels and build arguments dated by the
 * commit, so two builds of one commit push one digest.
 */
import { execFile } from 'node:child_process';
import { imageTags, ociLabels, repositoryUrl, type BuildRequest } from './dockerCli';
import type { ImageDependencies, LocalBuildSettings } from './stage';

/** `git log -1 --format=%ct <commit>` in the build context's repository. */
export function gitCommitTime(revision: string, directory: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['log', '-1', '--format=%ct', revision, '--'], { cwd: directory }, (error, stdout) => {
      const seconds = Number(stdout.trim());
      resolve(error || !Number.isSafeInteger(seconds) || seconds <= 0 ? undefined : seconds);
    });
  });
}

/**
 * The image's creation time: the commit's, not the clock's, so an unchanged commit builds the same
 * image (and digest) again, and a re-run plans no change. The clock only when git cannot say.
 */
async function creationTime(dependencies: ImageDependencies, settings: LocalBuildSettings): Promise<Date> {
  const { readCommitTime = gitCommitTime, log, clock } = dependencies;
  const seconds = await readCommitTime(settings.revision, settings.context);
  if (seconds !== undefined) return new Date(seconds * 1000);
  log.warning(
    `git could not give the commit time of ${settings.revision} in ${settings.context}: the image is dated now, so a rebuild of this commit gets a new digest (check out the repository with actions/checkout before this step).`,
  );
  return new Date(clock.now());
}

/** What the image calls its version: the tag or branch the run is for, else the short commit. */
function releaseVersion(env: NodeJS.ProcessEnv, revision: string): string {
  return env.GITHUB_REF_NAME?.trim() || revision.slice(0, 12);
}

/** What to build: tags, labels dated by the commit, and the build arguments the app reads. */
export async function buildRequest(
  dependencies: ImageDependencies,
  settings: LocalBuildSettings,
): Promise<BuildRequest> {
  const created = await creationTime(dependencies, settings);
  const { env } = dependencies;
  return {
    repository: settings.repository,
    tags: imageTags(settings.revision, settings.extraTags),
    labels: ociLabels({ source: repositoryUrl(env), revision: settings.revision, created }),
    buildArgs: {
      VERSION: releaseVersion(env, settings.revision),
      // The builders that honour it (BuildKit) date every layer's files by it, too.
      SOURCE_DATE_EPOCH: String(Math.floor(created.getTime() / 1000)),
      ...settings.buildArgs,
      // After the user's own: the app reports REVISION as its commit, which the smoke check compares.
      REVISION: settings.revision,
    },
    context: settings.context,
    dockerfile: settings.dockerfile,
  };
}
