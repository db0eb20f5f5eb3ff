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

/** An instant read on both clocks: `simulatedMs` was the emulated region's date at real `realMs`. */
export interface ClockAnchor {
  realMs: number;
  simulatedMs: number;
}

/**
 * A clock that runs `scale` times faster than `base`: the rollout's waits measured in an emulated
 * region's simulated time, so a wait budget that could not hold against AWS fails in the tests too.
 * With an `anchor` its dates are the region's own (the dates it stamps on metric datapoints and
 * scaling activities); without one it starts at `base`'s present.
 */
export function scaledClock(base: Clock, scale: number, anchor?: ClockAnchor): Clock {
  if (scale === 1 && anchor === undefined) return base;
  const { realMs, simulatedMs } = anchor ?? { realMs: base.now(), simulatedMs: base.now() };
  return {
    now: () => simulatedMs + (base.now() - realMs) * scale,
    sleep: (ms, signal) => base.sleep(ms / scale, signal),
  };
}
