import type { FailureDescription } from './description';

/** Image (deploy). */
export const IMAGE_FAILURES = {
  'docker-unavailable': {
    meaning: 'the docker CLI could not be run to build the image',
    whatToDo:
      'Run the job on a runner with Docker (GitHub-hosted Ubuntu runners have it), or pass an existing `image` to deploy without building.',
    showsAppLog: false,
  },
  'registry-login-failed': {
    meaning: '`docker login` to the registry failed',
    whatToDo:
      'Check the registry username and token; for DockerHub, `dockerhub-username` and `dockerhub-token`: an access token with Read & Write permission, stored as a repository secret.',
    showsAppLog: false,
  },
  'image-build-failed': {
    meaning: '`docker build` failed; the build output in the log shows the failing Dockerfile step',
    whatToDo: 'Reproduce it locally with `docker build` on the same context, fix it and deploy again.',
    showsAppLog: false,
  },
  'image-push-failed': {
    meaning: '`docker push` of one of the tags failed',
    whatToDo:
      'Check that the token may push (Read & Write) and that the repository exists, or that your account may create it.',
    showsAppLog: false,
  },
  'image-digest-missing': {
    meaning:
      'the push or the registry gave no valid digest for the image, so it cannot be deployed by digest; nothing is deployed by a guessed one',
    whatToDo:
      'Re-run the job; if it persists, report it with the docker version in use, or use a registry that implements the Distribution API fully.',
    showsAppLog: false,
  },
  'image-digest-mismatch': {
    meaning:
      "the tags of one build were pushed with different digests, or the registry's digest differs from the one pushed or asked for",
    whatToDo:
      'Another push to the same tags raced this one: run deploys of one repository one at a time (a workflow concurrency group) and re-run.',
    showsAppLog: false,
  },
  'image-not-found': {
    meaning: 'the registry has no such tag or digest of `image`',
    whatToDo:
      'Check the reference; to return to an earlier release, copy the digest from the image output of that deploy.',
    showsAppLog: false,
  },
  'registry-unauthorized': {
    meaning: 'the registry would not let these credentials read the repository, or it does not exist',
    whatToDo:
      'Check the repository name, and that the token can read it; for a private repository, give `dockerhub-username` and `dockerhub-token`.',
    showsAppLog: false,
  },
  'registry-unreachable': {
    meaning: 'the registry could not be reached, after retries',
    whatToDo: 'Check the registry host name in the image reference and that the runner can reach it.',
    showsAppLog: false,
  },
  'registry-error': {
    meaning:
      'the registry or its token service answered an error, or asked for credentials in a way the action refuses (an unsupported or non-HTTPS challenge)',
    whatToDo: "Re-run the job; if it persists, check the registry's status page and address.",
    showsAppLog: false,
  },
} as const satisfies Record<string, FailureDescription>;
