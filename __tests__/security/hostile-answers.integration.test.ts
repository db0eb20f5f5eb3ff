/**
 * Hostile answers through the committed bundle (`node dist/index.js`): a rollout against the
 * emulated region (moto plus the harness, through the real AWS SDK) whose smoke check asks a real
 * HTTP server on 127.0.0.1 that answers what an attacker would. The health answer's commit is
 * text from outside the action, printed in the log and the job summary: it must not command the
 * runner, however the command is hidden in it. A health answer of 256 MiB must be cut, not read,
 * and fail as what it is.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { runAction } from '../../emulation/runAction';
import { seedRegion, type SeededStack } from '../../emulation/seedRegion';
import { expectInertMarkdown } from '../support/inertMarkdown';
import { hostileLines, obeyedCommandsFrom } from '../support/runnerCommands';
import { streamFiller } from '../support/streamBody';

const MARKER = 'pwned';
/** What would restyle the job summary, where the commit is shown. */
const MARKDOWN_PAYLOADS = [
  '</summary><img src=https://evil.example/x.png>',
  '[link](https://evil.example/)',
  'cell|break',
  'one`two``three```',
  '--> <!--',
];
const HUGE_BODY_BYTES = 256 * 1024 * 1024;

let region: EmulatedRegion;
let stack: SeededStack;
let server: Server;
let url: string;
/** What /health/ answers: a commit, or a body of HUGE_BODY_BYTES streamed until the client stops. */
let healthAnswer: { commit: string } | 'huge' = { commit: 'c'.repeat(40) };
let hugeBytesSent = 0;

beforeAll(async () => {
  region = await startEmulatedRegion();
  server = createServer((request, response) => {
    if (request.url === '/health/') {
      if (healthAnswer === 'huge') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"commit": "');
        streamFiller(response, HUGE_BODY_BYTES, (bytes) => (hugeBytesSent += bytes));
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'ok', version: '1.0.0', commit: healthAnswer.commit }));
      }
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>app</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await region.stop();
});

beforeEach(async () => {
  await region.reset();
  stack = await seedRegion(region);
  hugeBytesSent = 0;
});

/** A rollout onto the version the group already runs: straight to the targets and the smoke check. */
function rolloutOnCurrentVersion() {
  return runAction(
    {
      command: 'rollout',
      'aws-region': region.region,
      'aws-endpoint-url': region.endpoint,
      'asg-name': stack.asgName,
      'launch-template-version': String(stack.versions[0]),
      'app-url': url,
    },
    region.actionClockEnv(),
  );
}

describe('hostile health answers through dist/index.js', () => {
  it.each([
    // No CR or LF at all: each command hides behind what a naive check of line starts misses.
    [
      'on one line',
      [...hostileLines(MARKER).filter((line) => !/[\r\n]/.test(line)), ...MARKDOWN_PAYLOADS].join(' '),
    ],
    ['over many lines', hostileLines(MARKER).join('\n')],
  ])('prints a commit hiding workflow commands %s inertly', async (_shape, commit) => {
    healthAnswer = { commit };
    const run = await rolloutOnCurrentVersion();

    expect(run.outputs['failure-reason'] ?? '').toBe('');
    expect(run.stdout).toContain(`${MARKER}-legacy`);
    expect(obeyedCommandsFrom(run.stdout, MARKER)).toEqual([]);
    // The job summary shows the commit in a code span: nothing in it is a tag or a link.
    expect(run.summary).toContain(MARKER);
    expectInertMarkdown(run.summary);
  });

  it('cuts a 256 MiB health answer at its limit and fails as a cut answer, not a missing commit', async () => {
    healthAnswer = 'huge';
    const run = await rolloutOnCurrentVersion();

    expect(run.exitCode).not.toBe(0);
    expect(run.outputs['failure-reason']).toBe('smoke-answer-cut');
    expect(run.stdout).toContain('with a health answer larger than 64 KiB');
    expect(run.stdout).not.toContain('without the commit');
    // Only what the runner read was sent: the limit plus what socket buffers hold, per request.
    expect(hugeBytesSent).toBeLessThan(HUGE_BODY_BYTES / 8);
  });
});
