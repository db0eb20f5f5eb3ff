/**
 * The release phase against the emulated region's SSM Run Command, which runs AWS-RunShellScript
 * for real inside the container attached to an instance (emulation/region/emulated_region/
 * run_command.py): output, exit codes, timeouts and CancelCommand are the harness's, not a mock's.
 *
 * Documented simplification: the attached container is a plain OS image without Docker, so the
 * host's /etc/app/run-once is a stand-in that runs the argv in place under coreutils' `timeout`
 * (exit 124 at the budget, like the real script); the real script, which starts a one-off
 * container of the image, is tested with real bash in bundled-terraform/run-once-script.test.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AutoScalingClient, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { scaledClock, systemClock } from '../../src/clock';
import { DeployError } from '../../src/errors';
import { RUN_ONCE_PATH, shellQuote } from '../../src/release/command';
import {
  findInServiceInstance,
  runReleasePhase,
  runReleaseForDeploy,
  type ReleaseDependencies,
} from '../../src/release';
import type { ReleaseSettings } from '../../src/release/settings';
import { startContainerRuntime, type ContainerRuntime } from '../../emulation/containerRuntime';
import { startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { seedRegion, type SeededStack } from '../../emulation/seedRegion';
import { createRecorder } from '../support/recorder';

jest.setTimeout(180_000);
const run = promisify(execFile);
const IMAGE = `registry.example/app@sha256:${'a'.repeat(64)}`;
const STAND_IN =
  '#!/bin/sh\nbudget=$1 image=$2\nshift 2\necho "one-off of $image" >&2\nexec timeout "$budget" "$@"\n';
const LINTER_OUTPUT = (name: string) => readFileSync(join(__dirname, 'linter-output', `${name}.txt`), 'utf8');

let runtime: ContainerRuntime;
let region: EmulatedRegion;
let stack: SeededStack;
let container = '';
let instanceId = '';
let ssm: SSMClient;

const docker = async (...args: string[]) =>
  (await run('docker', args, { env: { ...process.env, DOCKER_HOST: runtime.dockerHost }, timeout: 120_000 }))
    .stdout;

/** Writes a file into the instance's OS. */
const put = (path: string, content: string) =>
  docker(
    'exec',
    container,
    'sh',
    '-c',
    `mkdir -p "$(dirname ${path})" && printf '%s' ${shellQuote(content)} > ${path} && chmod 755 ${path}`,
  );

beforeAll(async () => {
  runtime = await startContainerRuntime();
  process.env.DOCKER_HOST = runtime.dockerHost;
  region = await startEmulatedRegion();
  ssm = new SSMClient(region.clientConfig);
});

afterAll(async () => {
  await region.stop();
  if (container) await docker('rm', '-f', container);
});

beforeEach(async () => {
  await region.reset();
  stack = await seedRegion(region, { desiredCapacity: 1 });
  if (container) await docker('rm', '-f', container);
  container = `release-${randomBytes(4).toString('hex')}`;
  await docker('run', '-d', '--name', container, runtime.baseImage, 'sleep', '900');
  instanceId = (await findInServiceInstance(new AutoScalingClient(region.clientConfig), stack.asgName)) ?? '';
  await region.control('/_harness/instance-host', { instanceId, container });
  await put(RUN_ONCE_PATH, STAND_IN);
});

function settings(overrides: Partial<ReleaseSettings>): ReleaseSettings {
  return {
    migrateCommand: ['sh', '-c', 'echo "Operations to perform:"; echo "  Applying shop.0003_ok... OK"'],
    checkCommand: ['cat', '/tmp/lint.txt'],
    timeoutSeconds: 60,
    allowIncompatible: false,
    ...overrides,
  };
}

function dependencies(recorder: ReturnType<typeof createRecorder>, timeScale = 1): ReleaseDependencies {
  return {
    ssm,
    autoScaling: new AutoScalingClient(region.clientConfig),
    log: recorder.log,
    clock: scaledClock(systemClock, timeScale),
    pollIntervalMs: 500,
    knownSecrets: ['s3cr3t-database-password'],
  };
}

async function commandsSent(): Promise<string[]> {
  const listed = await ssm.send(new ListCommandsCommand({}));
  return (listed.Commands ?? []).map((command) => command.Parameters?.commands?.at(-1) ?? '');
}

async function failureOf(promise: Promise<unknown>): Promise<DeployError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DeployError)) throw new Error(`expected a DeployError, got ${String(error)}`);
  return error;
}

it('checks, then migrates once on the InService instance, streaming both outputs masked into the log', async () => {
  await put('/tmp/lint.txt', LINTER_OUTPUT('compatible'));
  const recorder = createRecorder();
  const result = await runReleasePhase(
    dependencies(recorder),
    settings({
      migrateCommand: [
        'sh',
        '-c',
        'echo "Operations to perform:"; echo "password=s3cr3t-database-password"; echo "  Applying shop.0003_ok... OK"',
      ],
    }),
    { asgName: stack.asgName, image: IMAGE },
  );
  expect(result).toMatchObject({ ran: true, instanceId, migrations: ['shop.0003_ok'] });
  const log = recorder.text();
  expect(log).toContain('>> Release: migrations');
  expect(log).toMatch(
    /the migration compatibility check: sent AWS-RunShellScript command [0-9a-f-]{36} to i-/,
  );
  expect(log).toContain('  out | (shop, 0003_ok)... OK (cached)');
  expect(log).toContain(`  err | one-off of ${IMAGE}`);
  expect(log).toContain('  out |   Applying shop.0003_ok... OK');
  expect(log).toMatch(/migrations: shop\.0003_ok in \d+s/);
  expect(log).not.toContain('s3cr3t-database-password');
  const sent = await commandsSent();
  expect(sent).toHaveLength(2);
  expect(sent.every((line) => line.startsWith(`exec '${RUN_ONCE_PATH}' '60' '${IMAGE}'`))).toBe(true);
});

it('fails a failing migration with its exit code and last lines, before anything else runs', async () => {
  await put('/tmp/lint.txt', LINTER_OUTPUT('compatible'));
  const recorder = createRecorder();
  const failure = await failureOf(
    runReleasePhase(
      dependencies(recorder),
      settings({
        migrateCommand: [
          'sh',
          '-c',
          'echo "  Applying shop.0003_ok..."; echo "django.db.utils.ProgrammingError: relation shop_item does not exist" >&2; exit 3',
        ],
      }),
      { asgName: stack.asgName, image: IMAGE },
    ),
  );
  expect(failure.reason).toBe('migration-failed');
  expect(failure.message).toMatch(/the migration failed; no instance was replaced .*: Failed, exit 3\)/);
  expect(failure.message).toContain('| django.db.utils.ProgrammingError: relation shop_item does not exist');
  expect(failure.message).toContain('|   Applying shop.0003_ok...');
  expect(failure.nextSteps).toMatch(/fix the migration/);
});

it('refuses a backward-incompatible migration by name and rule, and never sends the migration', async () => {
  await put('/tmp/lint.txt', LINTER_OUTPUT('incompatible'));
  const recorder = createRecorder();
  const failure = await failureOf(
    runReleasePhase(
      dependencies(recorder),
      settings({ checkCommand: ['sh', '-c', 'cat /tmp/lint.txt; exit 1'] }),
      {
        asgName: stack.asgName,
        image: IMAGE,
      },
    ),
  );
  expect(failure.reason).toBe('migration-incompatible');
  expect(failure.message).toContain(
    'shop.0002_bad (RENAMING columns (table: shop_item, column: name); DROPPING columns',
  );
  expect(failure.nextSteps).toContain('allow-incompatible-migrations');
  expect(await commandsSent()).toHaveLength(1);
});

it('migrates an incompatible migration when allowed, saying a rollback cannot restore the old schema', async () => {
  await put('/tmp/lint.txt', LINTER_OUTPUT('incompatible'));
  const recorder = createRecorder();
  const result = await runReleasePhase(
    dependencies(recorder),
    settings({ checkCommand: ['sh', '-c', 'cat /tmp/lint.txt; exit 1'], allowIncompatible: true }),
    { asgName: stack.asgName, image: IMAGE },
  );
  expect(result).toMatchObject({ ran: true, migrations: ['shop.0002_bad', 'shop.0003_ok'] });
  expect(recorder.text()).toMatch(/warning: Migrating anyway .*cannot restore the old schema/);
});

it('reports a migration the script stopped at its budget as a timeout', async () => {
  const recorder = createRecorder();
  const failure = await failureOf(
    runReleasePhase(
      dependencies(recorder),
      settings({ checkCommand: [], timeoutSeconds: 10, migrateCommand: ['sleep', '300'] }),
      {
        asgName: stack.asgName,
        image: IMAGE,
      },
    ),
  );
  expect(failure.reason).toBe('migration-timeout');
  expect(failure.message).toMatch(/outlasted its 10s budget and was stopped.*exit 124/);
});

it('cancels a migration that outlasts its budget without stopping itself, and nothing of it is left running', async () => {
  const recorder = createRecorder();
  // Ignores the stand-in's TERM at its budget: only the action's CancelCommand can end it. The
  // action's clock runs 20 times faster, so it gives up long before the stand-in's own 10 s.
  const stubborn = ['sh', '-c', 'trap "" TERM; echo "waiting for a lock"; sleep 300'];
  const failure = await failureOf(
    runReleasePhase(
      dependencies(recorder, 20),
      settings({ checkCommand: [], timeoutSeconds: 10, migrateCommand: stubborn }),
      {
        asgName: stack.asgName,
        image: IMAGE,
      },
    ),
  );
  expect(failure.reason).toBe('migration-timeout');
  expect(failure.message).toContain(': Cancelled');
  expect(recorder.text()).toMatch(/still InProgress past its 10s budget; cancelling command [0-9a-f-]{36}/);
  expect(
    (await region.control<{ runCommandPids: number[] }>('/_harness/run-command-processes')).runCommandPids,
  ).toEqual([]);
});

it('runs nothing and says so when the group has no InService instance yet (first deploy)', async () => {
  await region.reset();
  const empty = await seedRegion(region, { desiredCapacity: 0 });
  const recorder = createRecorder();
  const result = await runReleasePhase(dependencies(recorder), settings({}), {
    asgName: empty.asgName,
    image: IMAGE,
  });
  expect(result).toEqual({ ran: false, why: 'no InService instance yet' });
  expect(await commandsSent()).toEqual([]);
});

it('first deploy: waits for the first InService instance, its SSM registration and its boot, then migrates there', async () => {
  await region.reset();
  const fresh = await seedRegion(region, { desiredCapacity: 0 });
  await docker('exec', container, 'rm', '-f', RUN_ONCE_PATH);
  const recorder = createRecorder();
  const autoScaling = new AutoScalingClient(region.clientConfig);
  const phase = runReleaseForDeploy(
    dependencies(recorder),
    settings({ checkCommand: [] }),
    { asgName: fresh.asgName, image: IMAGE },
    Date.now() + 120_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await autoScaling.send(
    new SetDesiredCapacityCommand({ AutoScalingGroupName: fresh.asgName, DesiredCapacity: 1 }),
  );
  let first: string | undefined;
  while (!(first = await findInServiceInstance(autoScaling, fresh.asgName))) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Not a managed node yet: SSM refuses the command until the instance has an OS to run it in.
  await eventually(() => recorder.text().includes(`waiting for ${first} to register with SSM`));
  await region.control('/_harness/instance-host', { instanceId: first, container });
  // Registered, but its boot has not written the run-once script yet.
  await eventually(() => recorder.text().includes('sent AWS-RunShellScript command'));
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await put(RUN_ONCE_PATH, STAND_IN);
  const result = await phase;
  expect(result).toMatchObject({ ran: true, instanceId: first });
  expect(recorder.text()).toContain('has no InService instance yet (first deploy): migrating once one is.');
  expect(recorder.text()).toContain('  out |   Applying shop.0003_ok... OK');
});

async function eventually(check: () => boolean, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
