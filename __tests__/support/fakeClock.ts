import type { Clock } from '../../src/clock';

/** A clock whose sleep returns at once and moves time forward, recording each sleep. */
export function createFakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
  return { clock, sleeps, advance: (ms: number) => (now += ms) };
}
