import { APP_LOG_LIMITS, appLogHints, failingInstanceIds, formatAppLog } from '../../src/rollout/appLog';
import { maskLogLine } from '../../src/mask';
import type { TargetState } from '../../src/fleet';

function target(id: string, state: string): TargetState {
  return { targetGroupArn: 'arn:tg', id, port: 80, state, reason: undefined, description: undefined };
}

describe('failingInstanceIds', () => {
  it('puts the instances the rollout saw AWS take out first, then unhealthy, then never-healthy targets', () => {
    const targets = [target('i-0bbbbbbbbbbbbbbbb', 'initial'), target('i-0cccccccccccccccc', 'unhealthy')];
    expect(failingInstanceIds(['i-0aaaaaaaaaaaaaaaa'], targets)).toEqual([
      'i-0aaaaaaaaaaaaaaaa',
      'i-0cccccccccccccccc',
    ]);
  });

  it('shows at most the bounded number of instances, each once, and none when all are healthy', () => {
    const targets = ['i-01234567', 'i-01234568', 'i-01234569'].map((id) => target(id, 'unhealthy'));
    expect(failingInstanceIds(['i-01234567', 'i-01234567'], targets)).toHaveLength(APP_LOG_LIMITS.instances);
    expect(
      failingInstanceIds([], [target('i-01234567', 'healthy'), target('i-01234568', 'draining')]),
    ).toEqual([]);
  });
});

describe('maskLogLine', () => {
  it.each([
    ['DJANGO_SECRET_KEY=abc123xyz456 loaded', 'DJANGO_SECRET_KEY=*** loaded'],
    ['{"password": "hunter2hunter2", "user": "ann"}', '{"password": "***", "user": "ann"}'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Authorization: ***'],
    ['retrying with AKIAABCDEFGHIJKLMNOP', 'retrying with ***'],
    ['connecting to postgres://app:s3cretpw@db:5432/app', 'connecting to postgres://app:***@db:5432/app'],
    ['api_key: 0123456789abcdef', 'api_key: ***'],
  ])('masks %s', (line, expected) => {
    expect(maskLogLine(line)).toBe(expected);
  });

  it('masks the values the action was given as secrets, wherever they appear', () => {
    expect(maskLogLine('pulled with tok-9f8e7d6c as ci', ['tok-9f8e7d6c'])).toBe('pulled with *** as ci');
  });

  it('keeps ordinary lines, drops control characters and bounds the length', () => {
    expect(maskLogLine('GET /health/ HTTP/1.1 500 token count 3')).toBe(
      'GET /health/ HTTP/1.1 500 token count 3',
    );
    expect(maskLogLine('\u001b[31mred\u001b[0m')).toBe('[31mred[0m');
    expect(maskLogLine('x'.repeat(2000))).toHaveLength(APP_LOG_LIMITS.lineLength + '… (cut)'.length);
  });
});

describe('formatAppLog', () => {
  it('prefixes every line with the instance id, so no app line can start a workflow command', () => {
    const lines = formatAppLog('/demo/test/app', [
      { instanceId: 'i-1', lines: ['::error::forged', 'second'] },
      { instanceId: 'i-2', lines: [] },
      { instanceId: 'i-3', unavailable: 'no stream i-3 in /demo/test/app' },
    ]);
    expect(lines).toEqual([
      'i-1: last 2 lines of /demo/test/app stream i-1',
      '  i-1 | ::error::forged',
      '  i-1 | second',
      'i-2: the log stream is empty (the container never wrote a line)',
      'i-3: no app log (no stream i-3 in /demo/test/app)',
    ]);
    expect(lines.some((line) => line.startsWith('::'))).toBe(false);
  });
});

describe('appLogHints', () => {
  it('names the fix the app’s own words point at, once per cause, across instances', () => {
    const hints = appLogHints([
      { instanceId: 'i-1', lines: ['sqlite3.OperationalError: unable to open database file'] },
      {
        instanceId: 'i-2',
        lines: ["OSError: [Errno 30] Read-only file system: '/app/db.sqlite3'", 'Invalid HTTP_HOST header'],
      },
      { instanceId: 'i-3', unavailable: 'no stream' },
    ]);
    expect(hints).toHaveLength(2);
    expect(hints[0]).toMatch(/read-only root filesystem/);
    expect(hints[1]).toMatch(/middleware placed first/);
  });

  it('gives none for a log that points at nothing known', () => {
    expect(appLogHints([{ instanceId: 'i-1', lines: ['[INFO] Booting worker with pid: 7'] }])).toEqual([]);
  });
});
