import { parseConfig } from '../../src/inputs';
import { configFor } from '../support/config';
import { inputsFrom } from '../support/inputs';

const DEPLOY = {
  command: 'deploy',
  'aws-region': 'eu-west-1',
  'image-repository': 'acme/web',
  'dockerhub-username': 'acme-ci',
  'dockerhub-token': 'dckr_pat_secret',
  'backend-config': 'bucket=acme-tfstate\nkey=web/prod.tfstate',
};

it('turns a step off when its command is given empty, as the runner passes `migration-command: ""`', () => {
  const config = parseConfig(
    inputsFrom({ ...DEPLOY, 'migration-command': '', 'migration-check-command': '' }),
    {
      GITHUB_SHA: 'f'.repeat(40),
      'INPUT_MIGRATION-COMMAND': '',
      'INPUT_MIGRATION-CHECK-COMMAND': '',
    },
  );
  expect(configFor('deploy', config).release.migrateCommand).toEqual([]);
  expect(configFor('deploy', config).release.checkCommand).toEqual([]);
});

it('runs the defaults when the inputs are not given at all (a local run of the bundle)', () => {
  const config = parseConfig(inputsFrom(DEPLOY), { GITHUB_SHA: 'f'.repeat(40) });
  expect(configFor('deploy', config).release.migrateCommand).toEqual([
    'python',
    'manage.py',
    'migrate',
    '--noinput',
  ]);
  expect(configFor('deploy', config).release.checkCommand[2]).toBe('lintmigrations');
});
