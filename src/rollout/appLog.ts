import { GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { causesInAppOutput } from '../appOutput';
import type { AwsClients } from '../aws';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import { FOREIGN_LINE_LENGTH, maskLogLine } from '../mask';
import { describeTargets, type TargetState } from '../fleet';

/**
 * The failing instances' own words: on a failed rollout, the last lines their container wrote to
 * CloudWatch Logs (the bundled user-data ships them there with Docker's awslogs driver, one stream
 * per instance id, in the group the stack's `app_log_group` output names).
 */

/** Bounds, so a crash loop cannot flood the job log. */
export const APP_LOG_LIMITS = { instances: 2, lines: 30, lineLength: FOREIGN_LINE_LENGTH };

/**
 * Instances to show, most telling first: those the rollout saw AWS take out after failing their
 * health checks, then targets that are unhealthy now, then ones still initial (never passed a
 * check). Never parsed out of a refresh's StatusReason: its wording is undocumented (AWS's own
 * example names an instance without `i-`).
 */
export function failingInstanceIds(seenFailing: string[], targets: TargetState[]): string[] {
  const byState = (state: string) => targets.filter((t) => t.state === state).map((t) => t.id);
  return [...new Set([...seenFailing, ...byState('unhealthy'), ...byState('initial')])].slice(
    0,
    APP_LOG_LIMITS.instances,
  );
}

export type AppLogExcerpt =
  { instanceId: string; lines: string[] } | { instanceId: string; unavailable: string };

/**
 * The excerpt as log lines, each starting with the instance id so a reader sees whose it is. What
 * the app printed is foreign text: the logger prints any line that could read as a workflow
 * command (a line break, `##[`) inertly.
 */
export function formatAppLog(logGroup: string, excerpts: AppLogExcerpt[]): string[] {
  return excerpts.flatMap((excerpt) => {
    if ('unavailable' in excerpt) return [`${excerpt.instanceId}: no app log (${excerpt.unavailable})`];
    if (excerpt.lines.length === 0)
      return [`${excerpt.instanceId}: the log stream is empty (the container never wrote a line)`];
    return [
      `${excerpt.instanceId}: last ${excerpt.lines.length} lines of ${logGroup} stream ${excerpt.instanceId}`,
      ...excerpt.lines.map((line) => `  ${excerpt.instanceId} | ${line}`),
    ];
  });
}

/** The fixes the excerpt's lines point at (read-only root, a 127.0.0.1 bind, DisallowedHost...). */
export function appLogHints(excerpts: AppLogExcerpt[]): string[] {
  const lines = excerpts.flatMap((excerpt) => ('lines' in excerpt ? excerpt.lines : []));
  return causesInAppOutput(lines).map(({ hint }) => hint);
}

async function readExcerpt(
  clients: AwsClients,
  logGroup: string,
  instanceId: string,
  knownSecrets: string[],
): Promise<AppLogExcerpt> {
  try {
    const response = await clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: logGroup,
        logStreamName: instanceId,
        limit: APP_LOG_LIMITS.lines,
        startFromHead: false,
      }),
    );
    const lines = (response.events ?? []).map((event) => maskLogLine(event.message ?? '', knownSecrets));
    return { instanceId, lines };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return {
        instanceId,
        unavailable: `no stream ${instanceId} in ${logGroup}: the container may never have started`,
      };
    }
    return { instanceId, unavailable: `could not read it: ${errorMessage(error)}` };
  }
}

export interface AppLogRequest {
  clients: AwsClients;
  log: Logger;
  asgName: string;
  targetGroupArns: string[];
  /** Undefined: the stack did not say where its app logs go; the log says so. */
  logGroup: string | undefined;
  knownSecrets: string[];
  /** Instances the rollout saw fail (DeployError.failingInstanceIds). */
  seenFailing?: string[];
}

/**
 * Prints the failing instances' last app log lines, and returns the hints their words point at.
 * Never throws: it explains a failure that has already happened, and must not replace that
 * failure with one of its own.
 */
export async function printAppLogOfFailingInstances(request: AppLogRequest): Promise<string[]> {
  const { clients, log, logGroup } = request;
  return log.group('Rollout: app log of the failing instances', async (): Promise<string[]> => {
    try {
      const targets = await describeTargets(clients, request.targetGroupArns);
      const ids = failingInstanceIds(request.seenFailing ?? [], targets);
      if (ids.length === 0) {
        log.info('No failing instance to show the app log of: every target answers its health checks.');
        return [];
      }
      if (!logGroup) {
        log.info(
          `Not showing the app log of ${ids.join(', ')}: the stack has no app_log_group output and app-log-group is not set.`,
        );
        return [];
      }
      const excerpts = await Promise.all(
        ids.map((id) => readExcerpt(clients, logGroup, id, request.knownSecrets)),
      );
      for (const line of formatAppLog(logGroup, excerpts)) log.info(line);
      const hints = appLogHints(excerpts);
      for (const hint of hints) log.info(`What the app log points at: ${hint}`);
      return hints;
    } catch (error) {
      log.warning(`Could not read the failing instances' app log: ${errorMessage(error)}`);
      return [];
    }
  });
}
