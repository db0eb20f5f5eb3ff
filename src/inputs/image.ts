/** The image inputs: an existing image, or what `deploy` builds and pushes, and the registry logins. */

import {
  ImageInputError,
  isInRepository,
  imageTags,
  parseBuildArgs,
  parseExistingImage,
  parseRepository,
  type BuildSettings,
  type DeployImageSettings,
  type ImageInputs,
  type LocalBuildSettings,
  type PreflightImageSettings,
  type ImageReference,
  type ImageRepository,
  type RegistryCredentials,
} from '../image';
import type { Command } from './commands';
import type { InputParser } from './parser';

/** Runs an image parser, recording its message as a problem of `name` instead of throwing. */
function imageInput<T>(inputs: InputParser, name: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ImageInputError)) throw error;
    inputs.problems.push(`${name}: ${error.message}`);
    return undefined;
  }
}

/** Docker Hub and most registries: user names are letters, digits and a few separators. */
const REGISTRY_USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}$/;

/**
 * The credentials to send when resolving an existing image: only to the image-repository they were
 * given for. An image outside that repository is refused, unless allow-image-outside-repository
 * says it is meant (a public base image, a mirror), and then it is resolved without credentials.
 */
function credentialsForImage(
  inputs: InputParser,
  image: ImageReference,
  repository: ImageRepository | undefined,
  credentials: RegistryCredentials | undefined,
  allowOutside: boolean,
): RegistryCredentials | undefined {
  if (!inputs.isValid('image', 'image-repository')) return undefined;
  if (repository === undefined) {
    if (credentials !== undefined) {
      inputs.problem(
        'image-repository',
        '',
        'dockerhub-username and dockerhub-token are only sent to the registry of image-repository: name the repository the image belongs to, or drop the credentials for a public image',
      );
    }
    return undefined;
  }
  if (isInRepository(image, repository)) return credentials;
  if (!allowOutside) {
    inputs.problem(
      'image',
      `${image.registry}/${image.path}`,
      `is outside image-repository (${repository.registry}/${repository.path}); deploy images of that repository, or set allow-image-outside-repository: true to deploy this one (it is then pulled without the registry credentials)`,
    );
  }
  return undefined;
}

/**
 * The image inputs as given; `deployImage` and `preflightImage` narrow them to what each command
 * needs. `localBuild` is the preflight command's build, which is never pushed.
 */
type ParsedImage = ImageInputs & {
  build: BuildSettings | undefined;
  localBuild: LocalBuildSettings | undefined;
};

/** The local name the preflight command builds under when image-repository is not given. */
const PREFLIGHT_REPOSITORY = parseRepository('ha-django-deploy-preflight');

export function parseImage(inputs: InputParser, command: Command): ParsedImage {
  const imageText = inputs.raw('image');
  const allowOutside = inputs.boolean('allow-image-outside-repository');
  if ((command === 'rollout' || command === 'scale-test') && imageText !== '') {
    inputs.problem(
      'image',
      imageText,
      `${command} deploys no image (rollout moves the group to a launch template version); deploy an image with command: deploy`,
    );
  }
  const existing =
    imageText === '' ? undefined : imageInput(inputs, 'image', () => parseExistingImage(imageText));
  const login = parseRegistryLogin(inputs);
  const repositoryText = inputs.raw('image-repository');
  const repository =
    repositoryText === ''
      ? undefined
      : imageInput(inputs, 'image-repository', () => parseRepository(repositoryText));
  // preflight builds like deploy, into the local image store only: no repository or login needed.
  const building = (command === 'deploy' || command === 'preflight') && imageText === '';
  const instancePull = parseInstancePull(inputs, command, login.username);
  if (!building) {
    refuseBuildPathsOutsideWorkspace(inputs);
    const credentials =
      existing && credentialsForImage(inputs, existing, repository, login.credentials, allowOutside);
    return { existing, credentials, build: undefined, localBuild: undefined, instancePull };
  }
  if (command === 'preflight') {
    const localBuild = { ...parseLocalBuild(inputs), repository: repository ?? PREFLIGHT_REPOSITORY };
    return { existing, credentials: login.credentials, build: undefined, localBuild, instancePull };
  }
  const build = parseBuild(inputs, repository, login);
  return { existing, credentials: login.credentials, build, localBuild: undefined, instancePull };
}

interface RegistryLogin {
  username: string;
  password: string;
  /** Both given: what a push (or a pull of the repository's own image) logs in with. */
  credentials: RegistryCredentials | undefined;
}

/** dockerhub-username and dockerhub-token: both or neither, and a user name the registry takes. */
function parseRegistryLogin(inputs: InputParser): RegistryLogin {
  const username = inputs.raw('dockerhub-username');
  const password = inputs.raw('dockerhub-token');
  if ((username === '') !== (password === '')) {
    const missing = username === '' ? 'dockerhub-username' : 'dockerhub-token';
    inputs.problem(missing, '', 'set both dockerhub-username and dockerhub-token, or neither');
  }
  if (username !== '' && !REGISTRY_USERNAME.test(username)) {
    inputs.problem(
      'dockerhub-username',
      username,
      'expected a registry user name (letters, digits, . _ @ -)',
    );
  }
  const credentials = username !== '' && password !== '' ? { username, password } : undefined;
  return { username, password, credentials };
}

/**
 * Not used without a build, but a path given is still held inside the workspace whatever the
 * command. Whether it exists matters only to a build: the runner hands the action.yml default
 * (app) to every run, also a plan in a repository whose app lives elsewhere.
 */
function refuseBuildPathsOutsideWorkspace(inputs: InputParser): void {
  if (inputs.read('build-context').trim() !== '') {
    inputs.workspacePath('build-context', inputs.raw('build-context'), 'directory', 'unused');
  }
  if (inputs.raw('dockerfile') !== '') {
    inputs.workspacePath('dockerfile', inputs.raw('dockerfile'), 'file', 'unused');
  }
}

/** What `deploy` builds and pushes when no image is given; undefined with a problem recorded. */
function parseBuild(
  inputs: InputParser,
  repository: ImageRepository | undefined,
  { username, password, credentials }: RegistryLogin,
): BuildSettings | undefined {
  if (inputs.raw('image-repository') === '') {
    inputs.problem(
      'image-repository',
      '',
      'deploy builds an image when image is empty: name the repository to push to, e.g. acme/web',
    );
  }
  if (!credentials && username === '' && password === '') {
    inputs.problem(
      'dockerhub-token',
      '',
      'deploy pushes the image it builds: set dockerhub-username and dockerhub-token (an access token, from secrets), or give an existing image',
    );
  }
  const local = parseLocalBuild(inputs);
  if (!repository || !credentials) return undefined;
  return { ...local, repository, credentials };
}

/** What any build needs, pushed or not: the commit, the tags, the build arguments and paths. */
function parseLocalBuild(inputs: InputParser): Omit<LocalBuildSettings, 'repository'> {
  const revision = inputs.env.GITHUB_SHA?.trim() ?? '';
  if (!/^[0-9a-f]{40}$/.test(revision)) {
    inputs.problems.push(
      `GITHUB_SHA: ${revision === '' ? 'missing' : JSON.stringify(revision)}; the commit to tag the image with (GitHub Actions sets it; set it when running locally).`,
    );
  }
  const extraTags = inputs.list('extra-tags');
  imageInput(inputs, 'extra-tags', () => imageTags('build', extraTags));
  const buildArgs =
    imageInput(inputs, 'build-args', () => parseBuildArgs(inputs.raw('build-args').split(/\r?\n/))) ?? {};
  const context = inputs.workspacePath('build-context', inputs.raw('build-context'), 'directory');
  const dockerfileText = inputs.raw('dockerfile');
  const dockerfile =
    dockerfileText === '' ? undefined : inputs.workspacePath('dockerfile', dockerfileText, 'file');
  return { context, dockerfile, revision, extraTags, buildArgs };
}

/** pull-token (and its user) for the instances' docker login; only Terraform commands store it. */
function parseInstancePull(
  inputs: InputParser,
  command: Command,
  pushUsername: string,
): RegistryCredentials | undefined {
  const token = inputs.raw('pull-token');
  const explicitUser = inputs.raw('pull-username');
  const username = explicitUser || pushUsername;
  if (command === 'rollout' && (token !== '' || explicitUser !== '')) {
    inputs.problem(
      token !== '' ? 'pull-token' : 'pull-username',
      token !== '' ? '***' : explicitUser,
      'rollout runs no Terraform, so it cannot store the token; pass it to deploy and plan',
    );
    return undefined;
  }
  if (token === '') {
    if (explicitUser !== '')
      inputs.problem(
        'pull-token',
        '',
        `pull-username (${explicitUser}) is set: set pull-token too, or neither for a public image`,
      );
    return undefined;
  }
  if (username === '') {
    inputs.problem(
      'pull-username',
      '',
      'pull-token needs its registry user: set pull-username (or dockerhub-username)',
    );
    return undefined;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/.test(username)) {
    inputs.problem(
      explicitUser ? 'pull-username' : 'dockerhub-username',
      username,
      'expected a registry user name (letters, digits, . _ @ -)',
    );
    return undefined;
  }
  if (/\s/.test(token)) {
    inputs.problem('pull-token', '***', 'contains whitespace; paste the token alone (from secrets)');
    return undefined;
  }
  return { username, password: token };
}

/** Deploy's image, given or built; undefined when it has neither, a problem parseImage recorded. */
export function deployImage({
  existing,
  build,
  credentials,
  instancePull,
}: ParsedImage): DeployImageSettings | undefined {
  if (existing) return { credentials, instancePull, existing, build: undefined };
  return build && { credentials, instancePull, existing: undefined, build };
}

/** The preflight's image, given or built locally; undefined when `image` was refused (a problem). */
export function preflightImage({
  existing,
  localBuild,
  credentials,
  instancePull,
}: ParsedImage): PreflightImageSettings | undefined {
  if (existing) return { credentials, instancePull, build: undefined, existing, localBuild: undefined };
  return localBuild && { credentials, instancePull, build: undefined, existing: undefined, localBuild };
}
