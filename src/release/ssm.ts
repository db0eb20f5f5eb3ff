/**
 * One one-off container of the new image on one instance, through SSM Run Command: send, stream
 * the output while polling GetCommandInvocation, and cancel it at the deadline.
 */
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvalidInstanceId,
  InvocationDoesNotExist,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { Clock } from '../clock';
import { formatDuration, type Logger } from '../log';
import { poll, PollTimeoutError } from '../poll';
import { BOOT_WAIT_SECONDS, documentTimeoutSeconds, runOnceCommands } from './command';
import { cancelDeadline, isFinished, verdictOf, type RunVerdict } from './outcome';
import { createRunOutput } from './output';

export interface OneOffDependencies {
  ssm: Pick<SSMClient, 'send'>;
  log: Logger;
  clock: Clock;
  pollIntervalMs: number;
  knownSecrets: string[];
  signal?: AbortSignal;
}

export interface OneOffRequest {
  /** What runs, as the log names it: "the migration", "the compatibility check". */
  what: string;
  instanceId: string;
  image: string;
  argv: string[];
  timeoutSeconds: number;
  /**
   * A stack's first instance, just InService: its SSM agent may not have registered yet and its
   * user-data may still be running, so the send is retried and the boot waited for (bounded).
   */
  hostBooting: boolean;
}

export interface OneOffResult {
  verdict: RunVerdict;
  commandId: string;
  status: string;
  exitCode: number;
  durationMs: number;
  /** Everything it printed on stdout (for parsing; never printed as is). */
  stdout: string;
  /** Its last lines, masked, for a failure message. */
  tail: string[];
}

interface Invocation {
  status: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function describeInvocation(
  ssm: Pick<SSMClient, 'send'>,
  commandId: string,
  instanceId: string,
): Promise<Invocation> {
  try {
    const answer = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    return {
      status: answer.Status ?? 'Pending',
      exitCode: answer.ResponseCode ?? -1,
      stdout: answer.StandardOutputContent ?? '',
      stderr: answer.StandardErrorContent ?? '',
    };
  } catch (error) {
    // Right after SendCommand the invocation may not be registered yet.
    if (error instanceof InvocationDoesNotExist)
      return { status: 'Pending', exitCode: -1, stdout: '', stderr: '' };
    throw error;
  }
}

function sendCommand(dependencies: OneOffDependencies, request: OneOffRequest) {
  return dependencies.ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [request.instanceId],
      Comment: `ha-django-deploy: ${request.what}`.slice(0, 100),
      Parameters: {
        commands: runOnceCommands(request.image, request.argv, request.timeoutSeconds),
        executionTimeout: [String(documentTimeoutSeconds(request.timeoutSeconds))],
      },
    }),
  );
}

/** Sends the command; a booting host's agent refuses it (InvalidInstanceId) until it registers. */
async function send(dependencies: OneOffDependencies, request: OneOffRequest): Promise<string> {
  const { clock, log } = dependencies;
  let toldWaiting = false;
  const answer = await poll(
    async () => {
      try {
        return { done: true, value: await sendCommand(dependencies, request) };
      } catch (error) {
        if (!(request.hostBooting && error instanceof InvalidInstanceId)) throw error;
        if (!toldWaiting) log.info(`${request.what}: waiting for ${request.instanceId} to register with SSM`);
        toldWaiting = true;
        return {
          done: false,
          state: `${request.instanceId} is not a managed node yet (SSM agent registering)`,
        };
      }
    },
    {
      what: `SSM to accept commands for ${request.instanceId}`,
      intervalMs: dependencies.pollIntervalMs,
      deadline: clock.now() + BOOT_WAIT_SECONDS * 1000,
      clock,
      onTransientError: (kind, message) => {
        log.warning(`AWS ${kind} error while sending ${request.what}: ${message}`);
      },
    },
  );
  const commandId = answer.Command?.CommandId;
  if (!commandId) throw new Error('SSM SendCommand answered without a command id');
  return commandId;
}

/** Past the deadline: cancel, then wait (bounded) for SSM to say the run has ended. */
async function cancelAndSettle(
  dependencies: OneOffDependencies,
  commandId: string,
  instanceId: string,
): Promise<Invocation> {
  const { ssm, clock, pollIntervalMs } = dependencies;
  await ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] }));
  try {
    return await poll(
      async () => {
        const invocation = await describeInvocation(ssm, commandId, instanceId);
        return isFinished(invocation.status)
          ? { done: true, value: invocation }
          : { done: false, state: invocation.status };
      },
      {
        what: `the cancel of command ${commandId}`,
        intervalMs: pollIntervalMs,
        deadline: clock.now() + 60_000,
        clock,
      },
    );
  } catch (error) {
    if (!(error instanceof PollTimeoutError)) throw error;
    return { ...(await describeInvocation(ssm, commandId, instanceId)), status: 'Cancelled' };
  }
}

/** Runs the one-off, printing its output as it arrives; resolves with how it ended, never throws for it. */
export async function runOneOff(
  dependencies: OneOffDependencies,
  request: OneOffRequest,
): Promise<OneOffResult> {
  const { ssm, log, clock } = dependencies;
  const startedAt = clock.now();
  const commandId = await send(dependencies, request);
  log.info(`${request.what}: sent AWS-RunShellScript command ${commandId} to ${request.instanceId}`);
  const output = createRunOutput(dependencies.knownSecrets);
  let last: Invocation = { status: 'Pending', exitCode: -1, stdout: '', stderr: '' };
  let finished: Invocation;
  try {
    finished = await poll(
      async () => {
        last = await describeInvocation(ssm, commandId, request.instanceId);
        for (const line of output.take(last.stdout, last.stderr)) log.info(line);
        return isFinished(last.status) ? { done: true, value: last } : { done: false, state: last.status };
      },
      {
        what: request.what,
        intervalMs: dependencies.pollIntervalMs,
        deadline: cancelDeadline(startedAt, request.timeoutSeconds, request.hostBooting),
        clock,
        ...(dependencies.signal ? { signal: dependencies.signal } : {}),
        onTransientError: (kind, message) => {
          log.warning(`AWS ${kind} error while waiting for ${request.what}: ${message}`);
        },
      },
    );
  } catch (error) {
    if (!(error instanceof PollTimeoutError)) throw error;
    log.info(
      `${request.what}: still ${last.status} past its ${request.timeoutSeconds}s budget; cancelling command ${commandId}`,
    );
    finished = await cancelAndSettle(dependencies, commandId, request.instanceId);
  }
  for (const line of output.finish(finished.stdout, finished.stderr)) log.info(line);
  const durationMs = clock.now() - startedAt;
  log.info(
    `${request.what}: ${finished.status} (exit ${finished.exitCode}) after ${formatDuration(durationMs)}`,
  );
  return {
    verdict: verdictOf(finished.status, finished.exitCode),
    commandId,
    status: finished.status,
    exitCode: finished.exitCode,
    durationMs,
    stdout: finished.stdout,
    tail: output.tail(),
  };
}
