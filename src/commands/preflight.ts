/**
 * `preflight`, and the same check inside `deploy`: the image runs on the runner as the instances
 * will run it (src/preflight), before anything is pushed or planned.
 */

import {
  buildLocally,
  resolveImage,
  withRegistryLogin,
  type BeforePush,
  type ImageReference,
  type ImageResult,
  type RegistryCredentials,
} from '../image';
import type { PreflightConfig, PreflightPaths } from '../inputs';
import type { RunDependencies } from '../main';
import { imageDependencies, type Session } from './session';

/** The check of an image that names `expectedCommit`; the stage loads only when it runs. */
export function preflightCheck(
  { runCommand: run, log, clock }: RunDependencies,
  paths: PreflightPaths,
  expectedCommit: string | undefined,
): BeforePush {
  return async (image) => {
    const { runPreflight, STARTUP_TIMEOUT_SECONDS } = await import('../preflight');
    const settings = { ...paths, expectedCommit, startupTimeoutSeconds: STARTUP_TIMEOUT_SECONDS };
    await runPreflight({ run, log, clock }, settings, image);
  };
}

/**
 * An existing image pinned to its digest, then checked (when `checkFor` gives a check for the
 * commit it names) after a login to its registry, so a private image can be pulled.
 */
export async function resolveAndCheck(
  session: Session,
  image: ImageReference,
  credentials: RegistryCredentials | undefined,
  checkFor: (expectedCommit: string | undefined) => BeforePush | undefined,
): Promise<ImageResult> {
  const dependencies = imageDependencies(session);
  const resolved = await resolveImage(dependencies, { image, credentials });
  const check = checkFor(resolved.revision);
  if (check) await withRegistryLogin(dependencies, image, credentials, () => check(resolved.reference));
  return resolved;
}

/** `preflight`: build locally (or pin the given image) and check it; nothing is pushed or planned. */
export async function preflightCommand(session: Session<PreflightConfig>): Promise<void> {
  const { image, paths } = session.config;
  const checkFor = (expectedCommit: string | undefined) =>
    preflightCheck(session.dependencies, paths, expectedCommit);
  if (image.existing) {
    await resolveAndCheck(session, image.existing, image.credentials, checkFor);
    return;
  }
  const built = await buildLocally(imageDependencies(session), image.localBuild);
  await checkFor(image.localBuild.revision)(built);
}
