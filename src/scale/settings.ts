/** `scale-test`: how hard and how long to load the fleet, and how long to watch it scale. */
export interface ScaleTestSettings {
  /** The burn ends by itself after this long, even if nobody cancels it. */
  stressDurationSeconds: number;
  /** Busy-loop processes per vCPU the instance reports (`nproc`). */
  workersPerVcpu: number;
  timeoutSeconds: number;
  /** Also wait for the group to scale back in (AWS takes ~15 minutes of low CPU) and report it. */
  waitForScaleIn: boolean;
}

/** A burn too short to outlast the alarm's evaluation would only prove nothing; an hour is plenty. */
export const STRESS_DURATION_LIMITS = { min: 30, max: 3600 } as const;
export const WORKERS_PER_VCPU_MAX = 8;
