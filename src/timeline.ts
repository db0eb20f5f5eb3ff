/**
 * What a rollout's job summary draws (src/report/timeline.ts): how many instances ran each release
 * over time, when the refresh baked, and when a release alarm fired. Filled by the rollout stage as
 * it reads the group, the refresh and the alarms; kept small and plain so a failure can carry it.
 */

/** One group read: InService instances per launch template version, at ms since the rollout began. */
export interface FleetSample {
  atMs: number;
  instancesByVersion: Record<string, number>;
}

export interface TimelineEvent {
  atMs: number;
  /** A refresh status (InProgress, Baking, RollbackInProgress, ...) or an alarm's state change. */
  kind: 'refresh' | 'alarm';
  /** Refresh status, or `<alarm name> -> <state>`: foreign text, escaped by the renderer. */
  text: string;
}

export interface RolloutTimeline {
  fleet: FleetSample[];
  events: TimelineEvent[];
  /** The release being rolled out (its launch template version) and the one before it. */
  newVersion: string;
  previousVersion: string;
}

/** A recorder the rollout writes to; `snapshot()` is what the summary draws. */
export function createTimelineRecorder(startedAt: number, newVersion: string, previousVersion: string) {
  const timeline: RolloutTimeline = { fleet: [], events: [], newVersion, previousVersion };
  let lastFleet = '';
  let lastRefresh = '';
  return {
    fleet(now: number, instancesByVersion: Record<string, number>): void {
      const key = JSON.stringify(instancesByVersion);
      if (key === lastFleet) return;
      lastFleet = key;
      timeline.fleet.push({ atMs: now - startedAt, instancesByVersion });
    },
    refresh(now: number, status: string): void {
      if (status === lastRefresh) return;
      lastRefresh = status;
      timeline.events.push({ atMs: now - startedAt, kind: 'refresh', text: status });
    },
    alarm(now: number, name: string, state: string): void {
      timeline.events.push({ atMs: now - startedAt, kind: 'alarm', text: `${name} -> ${state}` });
    },
    snapshot: (): RolloutTimeline => structuredClone(timeline),
  };
}

export type TimelineRecorder = ReturnType<typeof createTimelineRecorder>;
