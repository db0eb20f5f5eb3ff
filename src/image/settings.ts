import type { BuildSettings, LocalBuildSettings } from './stage';
import type { ImageReference } from './reference';
import type { RegistryCredentials } from './registry';

/** What every Terraform command knows of the image: the one given, and the registry logins. */
export interface ImageInputs {
  /** An image to deploy as it is (a rollback or redeploy): nothing is built. */
  existing: ImageReference | undefined;
  /**
   * Registry login for pushing a build, or for pulling a private existing image of the
   * image-repository. Undefined for an image elsewhere: credentials never leave their registry.
   */
  credentials: RegistryCredentials | undefined;
  /** The read-only login the instances pull a private image with; undefined pulls anonymously. */
  instancePull: RegistryCredentials | undefined;
}

/** `deploy`: an image to deploy as it is, or the build that makes one; never neither. */
export type DeployImageSettings =
  | (ImageInputs & { existing: ImageReference; build: undefined })
  | (ImageInputs & { existing: undefined; build: BuildSettings });

/** `preflight`: an image to check as it is, or a build into the local image store; never pushed. */
export type PreflightImageSettings = ImageInputs & { build: undefined } & (
    | { existing: ImageReference; localBuild: undefined }
    | { existing: undefined; localBuild: LocalBuildSettings }
  );
