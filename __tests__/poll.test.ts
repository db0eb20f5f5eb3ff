import { poll, PollTimeoutError, type PollStep } from '../src/poll';
import { createFakeClock } from './support/fakeClock';

function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $metadata: { httpStatusCode: 400 },
  });
}

describe('poll', () => {
  it('returns the value once the check reports done, sleeping the interval between checks', async () => {
    const { clock, sleeps } = createFakeClock();
    const steps: PollStep<string>[] = [
      { done: false, state: 'Pending' },
      { done: false, state: 'InProgress' },
      { done: true, value: 'Successful' },
    ];
    const result = await poll(() => Promise.resolve(steps.shift()!), {
      what: 'refresh',
      intervalMs: 5000,
      deadline: clock.now() + 60_000,
      clock,
    });
    expect(result).toBe('Successful');
    expect(sleeps).toEqual([5000, 5000]);
  });

  it('times out with the last state after one final check at the deadline', async () => {
    const { clock, sleeps } = createFakeClock();
    let checks = 0;
    const wait = poll(
      () => {
        checks += 1;
        return Promise.resolve({ done: false, state: `check ${checks}` });
      },
      { what: 'targets to be healthy', intervalMs: 4000, deadline: clock.now() + 10_000, clock },
    );
    await expect(wait).rejects.toThrow(PollTimeoutError);
    await expect(wait).rejects.toThrow('Timed out waiting for targets to be healthy; last state: check 4');
    expect(sleeps).toEqual([4000, 4000, 2000]);
  });

  it('backs off on throttling up to the ceiling, reports it, and resets after a good answer', async () => {
    const { clock, sleeps } = createFakeClock();
    const reports: string[] = [];
    const answers: (() => Promise<PollStep<number>>)[] = [
      () => Promise.reject(throttling()),
      () => Promise.reject(throttling()),
      () => Promise.reject(throttling()),
      () => Promise.resolve({ done: false, state: 'InProgress' }),
      () => Promise.resolve({ done: true, value: 1 }),
    ];
    const value = await poll(() => answers.shift()!(), {
      what: 'refresh',
      intervalMs: 1000,
      maxIntervalMs: 3000,
      deadline: clock.now() + 60_000,
      clock,
      onTransientError: (kind, message, next) => reports.push(`${kind} ${message} ${next}`),
    });
    expect(value).toBe(1);
    expect(sleeps).toEqual([2000, 3000, 3000, 1000]);
    expect(reports).toEqual([
      'throttling Rate exceeded 2000',
      'throttling Rate exceeded 3000',
      'throttling Rate exceeded 3000',
    ]);
  });

  it('waits out dropped connections and AWS 5xx answers', async () => {
    const { clock } = createFakeClock();
    const answers: (() => Promise<PollStep<string>>)[] = [
      () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
      () =>
        Promise.reject(
          Object.assign(new Error('busy'), {
            name: 'ServiceUnavailable',
            $metadata: { httpStatusCode: 503 },
          }),
        ),
      () => Promise.resolve({ done: true, value: 'ok' }),
    ];
    await expect(
      poll(() => answers.shift()!(), { what: 'x', intervalMs: 10, deadline: clock.now() + 1000, clock }),
    ).resolves.toBe('ok');
  });

  it('ends the wait on any other error', async () => {
    const { clock } = createFakeClock();
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      poll(() => Promise.reject(denied), { what: 'x', intervalMs: 10, deadline: clock.now() + 1000, clock }),
    ).rejects.toBe(denied);
  });

  it('stops when aborted', async () => {
    const { clock } = createFakeClock();
    const controller = new AbortController();
    const wait = poll(
      () => {
        controller.abort(new Error('job cancelled'));
        return Promise.resolve({ done: false, state: 'waiting' });
      },
      { what: 'x', intervalMs: 10, deadline: clock.now() + 1000, clock, signal: controller.signal },
    );
    await expect(wait).rejects.toThrow('job cancelled');
  });
});
