/** Time source and sleep, injected so waits can be tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that runs `scale` times faster than `base`: the rollout's waits measured in an emulated
 * region's simulated time, so a wait budget that could not hold against AWS fails in the tests too.
 */
export function scaledClock(base: Clock, scale: number): Clock {
  if (scale === 1) return base;
  const origin = base.now();
  return {
    now: () => origin + (base.now() - origin) * scale,
    sleep: (ms, signal) => base.sleep(ms / scale, signal),
  };
}
