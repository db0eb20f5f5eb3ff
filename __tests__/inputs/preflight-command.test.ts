/** Inputs of `preflight`: a build that is only checked needs no registry login and no Terraform. */
import { parseConfig, type ConfigPaths } from '../../src/inputs';
import { configFor } from '../support/config';
import { inputsFrom } from '../support/inputs';
import { configProblems } from '../support/rejection';

const SHA = 'c'.repeat(40);
const ENV = { GITHUB_SHA: SHA, GITHUB_WORKSPACE: '/work/repo' };
const PATHS: ConfigPaths = {
  workspace: '/work/repo',
  bundledTerraform: '/action/terraform',
  inspect: (path) => ({ real: path, kind: path.endsWith('Dockerfile') ? 'file' : 'directory' }),
};

describe('preflight inputs', () => {
  it('builds locally from app/ without an image repository, a login or a state backend', () => {
    const parsed = parseConfig(inputsFrom({ command: 'preflight', 'aws-region': 'eu-west-1' }), ENV, PATHS);
    expect(parsed.command).toBe('preflight');
    const config = configFor('preflight', parsed);
    expect(config.image.build).toBeUndefined();
    expect(config.image.localBuild).toMatchObject({
      context: '/work/repo/app',
      revision: SHA,
      repository: { registry: 'docker.io', path: 'library/ha-django-deploy-preflight' },
    });
  });

  it('checks an existing image as given, building nothing', () => {
    const config = configFor(
      'preflight',
      parseConfig(
        inputsFrom({ command: 'preflight', 'aws-region': 'eu-west-1', image: `acme/web:${SHA}` }),
        ENV,
        PATHS,
      ),
    );
    expect(config.image.localBuild).toBeUndefined();
    expect(config.image.existing?.tag).toBe(SHA);
  });

  it('still needs the commit it builds', () => {
    expect(configProblems({ command: 'preflight', 'aws-region': 'eu-west-1' }, {}, PATHS)).toEqual([
      expect.stringMatching(/^GITHUB_SHA: missing/),
    ]);
  });

  it('deploy keeps requiring its repository and login', () => {
    expect(configProblems({ 'aws-region': 'eu-west-1' }, ENV, PATHS).join('\n')).toMatch(
      /image-repository: missing[\s\S]*dockerhub-token: missing/,
    );
  });
});
