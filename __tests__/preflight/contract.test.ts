import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { causesInAppOutput } from '../../src/appOutput';
import {
  CONTRACT,
  judgeHealth,
  parsePublishedPort,
  preflightEnvironment,
  runArgs,
  type HttpAnswer,
} from '../../src/preflight/contract';

const COMMIT = 'a'.repeat(40);
const answer = (status: number, body = '', location?: string): HttpAnswer => ({ status, body, location });

describe('the container the preflight runs', () => {
  const template = readFileSync(
    join(__dirname, '../../terraform/modules/web-tier/user_data.sh.tftpl'),
    'utf8',
  );
  const container = JSON.parse(
    readFileSync(join(__dirname, '../../terraform/modules/web-tier/container.json'), 'utf8'),
  ) as { run_flags: string[] };

  it('gets every flag of the instances from the file the user-data renders them from', () => {
    expect(template).toContain('%{ for flag in container.run_flags ~}');
    const args = runArgs('img', 'name', []);
    for (const flag of container.run_flags) expect(args).toContain(flag);
    expect(args).toEqual(
      expect.arrayContaining(['--read-only', '--tmpfs', '/tmp:rw,noexec,nosuid,nodev,size=64m']),
    );
  });

  it('publishes on 127.0.0.1 only, and names the variables without their values', () => {
    const environment = preflightEnvironment('s3cret-key-value');
    const args = runArgs('img', 'name', Object.keys(environment));
    expect(args).toContain('127.0.0.1::8000');
    expect(args.join(' ')).not.toContain('s3cret-key-value');
    expect(Object.keys(environment)).toEqual(
      expect.arrayContaining([
        'DJANGO_ALLOWED_HOSTS',
        'DJANGO_SECRET_KEY',
        'INSTANCE_ID',
        'AVAILABILITY_ZONE',
      ]),
    );
    expect(args.at(-1)).toBe('img');
  });

  it('reads the published port', () => {
    expect(parsePublishedPort('127.0.0.1:41234\n')).toBe(41234);
    expect(parsePublishedPort('0.0.0.0:41234\n')).toBeUndefined();
    expect(parsePublishedPort('')).toBeUndefined();
  });
});

describe('the health answer', () => {
  it('passes a 200 carrying the commit', () => {
    expect(judgeHealth(answer(200, JSON.stringify({ commit: COMMIT })), COMMIT)).toBeUndefined();
  });

  it.each([
    [answer(400, 'Bad Request'), 'health', /answered 400: "Bad Request"/],
    [answer(200, '{"status": "ok"}'), 'commit', /no "commit"/],
    [answer(200, 'ok'), 'commit', /not JSON/],
    [answer(200, JSON.stringify({ commit: 'b'.repeat(40) })), 'commit', /reports commit "bbbb/],
  ])('fails %j as %s', (given, item, seen) => {
    const violation = judgeHealth(given, COMMIT);
    expect(violation?.item).toBe(item);
    expect(violation?.seen).toMatch(seen);
  });

  it('asks for no commit when the image names none', () => {
    expect(judgeHealth(answer(204), undefined)).toBeUndefined();
  });

  it('shows a body inert and bounded', () => {
    const violation = judgeHealth(answer(500, `::error::x\n${'y'.repeat(1000)}`), COMMIT);
    expect(violation?.seen).not.toContain('\n');
    expect(violation?.seen.length).toBeLessThan(260);
  });
});

describe('hints from what the app said', () => {
  it.each([
    ['sqlite3.OperationalError: unable to open database file', 'read-only-root'],
    ["OSError: [Errno 30] Read-only file system: '/app/media'", 'read-only-root'],
    ['"message": "Listening at: http://127.0.0.1:8000 (1)"', 'loopback-bind'],
    ["Invalid HTTP_HOST header: '10.0.1.23'.", 'host-validation'],
    ["ModuleNotFoundError: No module named 'whitenoise'", 'import-error'],
    ['SSL: CERTIFICATE_VERIFY_FAILED', 'certificate'],
  ])('%s points at %s', (line, cause) => {
    expect(causesInAppOutput(['unrelated', line]).map((known) => known.cause)).toEqual([cause]);
  });

  it('finds nothing in an ordinary log', () => {
    expect(causesInAppOutput(['Listening at: http://0.0.0.0:8000 (1)', 'Booting worker'])).toEqual([]);
  });

  it('names a distinct failure reason for each contract item', () => {
    const reasons = Object.values(CONTRACT).map(({ reason }) => reason);
    expect(new Set(reasons).size).toBe(reasons.length);
  });
});
