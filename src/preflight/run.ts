/**
 * The preflight stage: runs the image on the runner as the instances will (their flags, their
 * environment names, published on 127.0.0.1 only), checks the app contract in order, and removes
 * the container again. A violation stops the deploy before anything is pushed or planned, naming
 * the contract item, with the app's own output (masked, inert, bounded) and the fix it points at.
 */
import { randomBytes } from 'node:crypto';
import { causesInAppOutput } from '../appOutput';
import { parseImageReference, registryTrustHint, saysUntrustedCertificate } from '../image';
import { maskLogLine } from '../mask';
import { checkPage } from '../pageCheck';
import type { Clock } from '../clock';
import { DeployError, errorMessage } from '../errors';
import type { CommandOptions, CommandResult, CommandRunner } from '../exec';
import { formatDuration, type Logger } from '../log';
import {
  CONTAINER_PORT,
  CONTRACT,
  PRIVATE_IP_HOST,
  PUBLIC_HOST,
  judgeHealth,
  parsePublishedPort,
  preflightEnvironment,
  runArgs,
  type ContractItem,
  type HttpAnswer,
  type PreflightSettings,
  type Violation,
} from './contract';
import { loopbackGet, type LoopbackGet } from './http';

export interface PreflightDependencies {
  run: CommandRunner;
  log: Logger;
  clock: Clock;
  /** Defaults to the real client bound to 127.0.0.1. */
  get?: LoopbackGet;
}

/** The app's last lines shown on a failure: enough for a traceback, not a flood. */
const APP_OUTPUT_LINES = 40;
const POLL_INTERVAL_MS = 500;

/** One preflight run: the container and what the checks need to reach and judge it. */
interface Trial {
  dependencies: PreflightDependencies;
  name: string;
  secretKey: string;
  startedAt: number;
}

async function docker(trial: Trial, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  try {
    return await trial.dependencies.run('docker', args, { silent: true, ...options });
  } catch (error) {
    throw new DeployError(
      'docker-unavailable',
      `Could not run docker for the preflight: ${errorMessage(error)}.`,
      'Run the job on a runner with Docker, or set preflight: false to skip the preflight.',
    );
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** The app's own output, masked and bounded; every line is prefixed, so none is a workflow command. */
async function appOutput(trial: Trial): Promise<string[]> {
  const logs = await docker(trial, ['logs', '--tail', String(APP_OUTPUT_LINES), trial.name]);
  return `${logs.stdout}${logs.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-APP_OUTPUT_LINES)
    .map((line) => maskLogLine(line, [trial.secretKey]));
}

/** Prints the app's output and turns the violation into the deploy's failure. */
async function violated(trial: Trial, violation: Violation): Promise<DeployError> {
  const { log, clock } = trial.dependencies;
  const contract = CONTRACT[violation.item];
  const lines = await appOutput(trial);
  log.info(`The app's own output (last ${lines.length} lines):`);
  for (const line of lines.length > 0 ? lines : ['(the app printed nothing)']) log.info(`app| ${line}`);
  const hints = causesInAppOutput(lines)
    .filter(({ cause }) => cause !== (contract as ContractItem).sameAs)
    .map(({ hint }) => hint);
  if (violation.hint) hints.unshift(violation.hint);
  return new DeployError(
    contract.reason,
    `Preflight failed after ${formatDuration(clock.now() - trial.startedAt)}, on the app contract item "${contract.item}": ${violation.seen}. Nothing was pushed or planned.`,
    [...hints, contract.fix].join(' '),
  );
}

async function isRunning(trial: Trial): Promise<boolean> {
  const inspect = await docker(trial, ['container', 'inspect', '--format', '{{.State.Running}}', trial.name]);
  return inspect.stdout.trim() === 'true';
}

async function exited(trial: Trial, when: string): Promise<DeployError> {
  const state = await docker(trial, ['container', 'inspect', '--format', '{{.State.ExitCode}}', trial.name]);
  return violated(trial, {
    item: 'starts',
    seen: `the container exited ${when} (exit code ${state.stdout.trim()})`,
  });
}

/** The registry an image is pulled from, for the trust hint; a name that does not parse gets a placeholder. */
function registryOf(image: string): string {
  try {
    return parseImageReference(image).registry;
  } catch {
    return '<registry host:port>';
  }
}

/** Starts the container; a docker failure here is the runner's or the image's, not the app's. */
async function start(trial: Trial, image: string): Promise<number> {
  const environment = preflightEnvironment(trial.secretKey);
  const result = await docker(trial, runArgs(image, trial.name, Object.keys(environment)), {
    env: environment,
  });
  if (result.exitCode !== 0) {
    throw new DeployError(
      'preflight-not-run',
      `The preflight could not start ${image}: ${lastLine(result.stderr) || `docker run exit code ${result.exitCode}`}.`,
      saysUntrustedCertificate(result.stderr)
        ? registryTrustHint(registryOf(image))
        : 'Check that docker on the runner can run the image (an existing image must be pullable: log in to its registry before this step).',
    );
  }
  const port = parsePublishedPort(
    (await docker(trial, ['port', trial.name, `${CONTAINER_PORT}/tcp`])).stdout,
  );
  if (port === undefined) throw await exited(trial, 'before its port was published');
  return port;
}

/** Polls the health path until something answers, the container stops, or the budget ends. */
async function firstHealthAnswer(
  trial: Trial,
  port: number,
  settings: PreflightSettings,
): Promise<HttpAnswer> {
  const { clock, get = loopbackGet } = trial.dependencies;
  const deadline = trial.startedAt + settings.startupTimeoutSeconds * 1000;
  let lastError = 'no attempt';
  while (clock.now() < deadline) {
    if (!(await isRunning(trial))) throw await exited(trial, 'at start');
    try {
      return await get(port, settings.healthPath, PRIVATE_IP_HOST);
    } catch (error) {
      lastError = errorMessage(error);
    }
    await clock.sleep(POLL_INTERVAL_MS);
  }
  if (!(await isRunning(trial))) throw await exited(trial, 'at start');
  throw await violated(trial, {
    item: 'listens',
    seen: `nothing answered ${settings.healthPath} on the published port within ${settings.startupTimeoutSeconds} s (last: ${lastError})`,
  });
}

/** The page check with the public Host, same-site redirects followed (the shared page check). */
async function checkPageContract(trial: Trial, port: number, path: string): Promise<Violation | undefined> {
  const { get = loopbackGet } = trial.dependencies;
  const result = await checkPage(new URL(path, `http://${PUBLIC_HOST}`), (url) =>
    get(port, `${url.pathname}${url.search}`, url.host),
  );
  if ('passed' in result) return undefined;
  return { item: 'page', seen: result.failed.seen, hint: result.failed.hint };
}

async function checkContract(trial: Trial, image: string, settings: PreflightSettings): Promise<void> {
  const { log, clock } = trial.dependencies;
  const port = await start(trial, image);
  log.info(`Started ${image} as the instances run it, published on 127.0.0.1:${port}.`);
  const health = await firstHealthAnswer(trial, port, settings);
  const healthViolation = judgeHealth(health, settings.expectedCommit);
  if (healthViolation) throw await violated(trial, healthViolation);
  log.info(
    `${settings.healthPath} answered ${health.status} to Host: ${PRIVATE_IP_HOST}${settings.expectedCommit ? ` with commit ${settings.expectedCommit}` : ''} after ${formatDuration(clock.now() - trial.startedAt)}.`,
  );
  const pageViolation = await checkPageContract(trial, port, settings.pagePath);
  if (pageViolation) throw await violated(trial, pageViolation);
  log.info(`${settings.pagePath} answered 2xx to Host: ${PUBLIC_HOST}.`);
  if (!(await isRunning(trial))) throw await exited(trial, 'during the checks');
}

/** Runs the preflight on a local image (built here, or pulled); throws the first violation. */
export async function runPreflight(
  dependencies: PreflightDependencies,
  settings: PreflightSettings,
  image: string,
): Promise<void> {
  const { log, clock } = dependencies;
  await log.group(`Preflight: run the image as the instances will`, async () => {
    const trial: Trial = {
      dependencies,
      name: `ha-django-deploy-preflight-${randomBytes(6).toString('hex')}`,
      secretKey: randomBytes(32).toString('base64url'),
      startedAt: clock.now(),
    };
    try {
      await checkContract(trial, image, settings);
      log.info(
        `Preflight passed in ${formatDuration(clock.now() - trial.startedAt)}: the container is still up.`,
      );
    } finally {
      await docker(trial, ['rm', '--force', trial.name]);
    }
  });
}
