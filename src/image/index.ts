/** The image stage: build and push, or pin an existing image, always ending in repo@sha256:... */
export { imageTags, parseBuildArgs } from './dockerCli';
export {
  ImageInputError,
  isInRepository,
  parseExistingImage,
  parseImageReference,
  parseRepository,
  validateTag,
  type ImageReference,
  type ImageRepository,
} from './reference';
export type { RegistryCredentials } from './registry';
export { registryTrustHint, saysUntrustedCertificate } from './trust';
export type { DeployImageSettings, ImageInputs, PreflightImageSettings } from './settings';
export {
  buildAndPush,
  buildLocally,
  withRegistryLogin,
  type BeforePush,
  resolveImage,
  type BuildSettings,
  type LocalBuildSettings,
  type ImageDependencies,
  type ImageResult,
  type ResolveSettings,
} from './stage';
