import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_DEFAULTS, parseConfig } from '../../src/inputs';
import { run } from '../../src/main';
import { inputsFrom } from '../support/inputs';
import { configFor } from '../support/config';
import { createRecorder } from '../support/recorder';
import { configProblems, configRejection } from '../support/rejection';

const VALID = {
  command: 'rollout',
  'aws-region': 'eu-west-1',
  'asg-name': 'web-asg',
};
const TG_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = configFor('rollout', parseConfig(inputsFrom(VALID)));
    expect(config.command).toBe('rollout');
    expect(config.rollout).toMatchObject({
      minHealthyPercentage: 100,
      maxHealthyPercentage: 200,
      skipMatching: true,
      autoRollback: true,
      onRefreshInProgress: 'wait',
      onTimeout: 'rollback',
      forceRefresh: false,
      waitTimeoutSeconds: 1800,
      pollIntervalSeconds: 5,
      smokePath: '/health/',
      smokeCheck: true,
      launchTemplateVersion: undefined,
      targetGroupArns: [],
      checkpointPercentages: [],
    });
  });

  it('parses every optional input', () => {
    const config = configFor(
      'rollout',
      parseConfig(
        inputsFrom({
          ...VALID,
          'aws-endpoint-url': 'http://127.0.0.1:5055/',
          'target-group-arn': `${TG_ARN},\n${TG_ARN.replace('web/', 'api/')}`,
          'launch-template-version': '7',
          'min-healthy-percentage': '90',
          'max-healthy-percentage': '150',
          'instance-warmup': '45',
          'skip-matching': 'False',
          'auto-rollback': 'FALSE',
          'checkpoint-percentages': '20, 50, 100',
          'checkpoint-delay-seconds': '60',
          'on-refresh-in-progress': 'cancel',
          'on-timeout': 'none',
          'wait-timeout-minutes': '2.5',
          'poll-interval-seconds': '3',
          'app-url': 'https://example.com',
        }),
      ),
    );
    expect(config.aws).toEqual({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:5055', timeScale: 1 });
    expect(config.rollout).toMatchObject({
      targetGroupArns: [TG_ARN, TG_ARN.replace('web/', 'api/')],
      launchTemplateVersion: 7,
      minHealthyPercentage: 90,
      maxHealthyPercentage: 150,
      instanceWarmupSeconds: 45,
      skipMatching: false,
      autoRollback: false,
      checkpointPercentages: [20, 50, 100],
      checkpointDelaySeconds: 60,
      onRefreshInProgress: 'cancel',
      onTimeout: 'none',
      waitTimeoutSeconds: 150,
      pollIntervalSeconds: 3,
      appUrl: 'https://example.com',
    });
  });

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION', () => {
    const values = { command: 'rollout', 'asg-name': 'web' };
    expect(parseConfig(inputsFrom(values), { AWS_REGION: 'us-east-2' }).aws.region).toBe('us-east-2');
    expect(parseConfig(inputsFrom(values), { AWS_DEFAULT_REGION: 'ap-south-1' }).aws.region).toBe(
      'ap-south-1',
    );
  });

  // Each case: the inputs, the input the message must name, and a fragment saying what is accepted.
  const invalidCases: [string, Record<string, string>, string, string][] = [
    ['missing region', { command: 'rollout', 'asg-name': 'web' }, 'aws-region', 'AWS_REGION'],
    ['malformed region', { ...VALID, 'aws-region': 'europe' }, 'aws-region', 'region code'],
    ['missing group name', { command: 'rollout', 'aws-region': 'eu-west-1' }, 'asg-name', 'group name'],
    [
      'group ARN instead of name',
      { ...VALID, 'asg-name': 'arn:aws:autoscaling:x' },
      'asg-name',
      'not its ARN',
    ],
    ['group name too long', { ...VALID, 'asg-name': 'a'.repeat(256) }, 'asg-name', '1-255'],
    ['unknown command', { ...VALID, command: 'destroy' }, 'command', 'one of deploy, plan, rollout'],
    [
      'malformed target group ARN',
      { ...VALID, 'target-group-arn': 'arn:aws:elb:tg' },
      'target-group-arn',
      'targetgroup/',
    ],
    [
      '$Latest version',
      { ...VALID, 'launch-template-version': '$Latest' },
      'launch-template-version',
      'IrreversibleInstanceRefresh',
    ],
    [
      '$Default version',
      { ...VALID, 'launch-template-version': '$Default' },
      'launch-template-version',
      'version number',
    ],
    ['zero version', { ...VALID, 'launch-template-version': '0' }, 'launch-template-version', 'whole number'],
    [
      'non-numeric min healthy',
      { ...VALID, 'min-healthy-percentage': 'most' },
      'min-healthy-percentage',
      '0 to 100',
    ],
    [
      'min healthy above 100',
      { ...VALID, 'min-healthy-percentage': '101' },
      'min-healthy-percentage',
      '0 to 100',
    ],
    [
      'max healthy below 100',
      { ...VALID, 'max-healthy-percentage': '90' },
      'max-healthy-percentage',
      '100 to 200',
    ],
    [
      'min healthy > max healthy spread',
      { ...VALID, 'min-healthy-percentage': '50', 'max-healthy-percentage': '200' },
      'max-healthy-percentage',
      'at most 100 points',
    ],
    ['negative warmup', { ...VALID, 'instance-warmup': '-5' }, 'instance-warmup', '0 to 86400'],
    ['fractional warmup', { ...VALID, 'instance-warmup': '1.5' }, 'instance-warmup', 'whole number'],
    ['non-boolean skip-matching', { ...VALID, 'skip-matching': 'yes' }, 'skip-matching', 'true or false'],
    ['non-boolean auto-rollback', { ...VALID, 'auto-rollback': '1' }, 'auto-rollback', 'true or false'],
    [
      'descending checkpoints',
      { ...VALID, 'checkpoint-percentages': '50,20,100' },
      'checkpoint-percentages',
      'ascending',
    ],
    [
      'checkpoints not ending at 100',
      { ...VALID, 'checkpoint-percentages': '25,50' },
      'checkpoint-percentages',
      'must be 100',
    ],
    [
      'non-numeric checkpoint',
      { ...VALID, 'checkpoint-percentages': 'half,100' },
      'checkpoint-percentages',
      '1 to 100',
    ],
    [
      'checkpoint delay alone',
      { ...VALID, 'checkpoint-delay-seconds': '60' },
      'checkpoint-delay-seconds',
      'set both',
    ],
    [
      'unknown in-progress policy',
      { ...VALID, 'on-refresh-in-progress': 'queue' },
      'on-refresh-in-progress',
      'wait, cancel, fail',
    ],
    ['unknown timeout policy', { ...VALID, 'on-timeout': 'panic' }, 'on-timeout', 'rollback, cancel, none'],
    [
      'negative timeout',
      { ...VALID, 'wait-timeout-minutes': '-1' },
      'wait-timeout-minutes',
      'greater than 0',
    ],
    ['zero timeout', { ...VALID, 'wait-timeout-minutes': '0' }, 'wait-timeout-minutes', 'greater than 0'],
    [
      'timeout over 6 hours',
      { ...VALID, 'wait-timeout-minutes': '400' },
      'wait-timeout-minutes',
      'at most 360',
    ],
    [
      'non-numeric interval',
      { ...VALID, 'poll-interval-seconds': 'fast' },
      'poll-interval-seconds',
      'number of seconds',
    ],
    [
      'interval longer than timeout',
      { ...VALID, 'wait-timeout-minutes': '1', 'poll-interval-seconds': '120' },
      'poll-interval-seconds',
      'shorter than',
    ],
    ['relative smoke path', { ...VALID, 'smoke-path': 'health/' }, 'smoke-path', 'starting with a single /'],
    ['non-http app url', { ...VALID, 'app-url': 'ftp://example.com' }, 'app-url', 'http:// or https://'],
    [
      'malformed endpoint url',
      { ...VALID, 'aws-endpoint-url': 'localhost:5000' },
      'aws-endpoint-url',
      'http:// or https://',
    ],
  ];

  it.each(invalidCases)('rejects %s with one message naming the input', (_label, values, input, accepted) => {
    expect(configRejection(values, input)).toContain(accepted);
  });

  it('reports every invalid input together', () => {
    const problems = configProblems({
      command: 'rollout',
      'asg-name': '',
      'min-healthy-percentage': 'x',
      'poll-interval-seconds': '0',
      'on-timeout': 'explode',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'asg-name',
      'aws-region',
      'min-healthy-percentage',
      'on-timeout',
      'poll-interval-seconds',
    ]);
  });

  it('keeps the defaults identical to action.yml', () => {
    const actionYml = readFileSync(join(__dirname, '../../action.yml'), 'utf8');
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
      const block = new RegExp(`\\n  ${name}:\\n(?:    .*\\n)*?    default: '?([^'\\n]*)'?\\n`).exec(
        actionYml,
      );
      expect([name, block?.[1]]).toEqual([name, value]);
    }
  });
});

describe('run with invalid inputs', () => {
  it('fails with the input errors before creating any AWS client', async () => {
    const recorder = createRecorder();
    const createClients = jest.fn();
    await run({
      readInput: inputsFrom({ command: 'rollout', 'asg-name': 'web', 'max-healthy-percentage': '250' }),
      env: {},
      log: recorder.log,
      reporter: recorder.reporter,
      createClients,
    });
    expect(createClients).not.toHaveBeenCalled();
    expect(recorder.outputs['failure-reason']).toBe('invalid-input');
    expect(recorder.failures).toHaveLength(1);
    expect(recorder.failures[0]).toContain('aws-region: missing');
    expect(recorder.failures[0]).toContain('max-healthy-percentage: "250"');
    expect(recorder.failures[0]).not.toMatch(/at .*\.ts:\d+/);
  });
});
