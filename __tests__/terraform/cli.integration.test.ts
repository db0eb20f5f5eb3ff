/**
 * The terraform stage against the real Terraform CLI, on small configurations of `terraform_data`
 * (Terraform's built-in provider: no download, no cloud), each in its own directory and state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type CommandRunner } from '../../src/exec';
import { systemClock } from '../../src/clock';
import { createTerraform, destroyGuard, readDeployedImage, type Terraform } from '../../src/terraform';
import { createRecorder } from '../support/recorder';
import { rejection } from '../support/rejection';

const SECRET = 's3cr3t-value-never-shown';
const IMAGE = `registry.test/acme/web@sha256:${'1'.repeat(64)}`;
const NEXT_IMAGE = `registry.test/acme/web@sha256:${'2'.repeat(64)}`;

const CONFIG = `
variable "image" {
  type = string
}
variable "secret" {
  type      = string
  sensitive = true
  default   = "${SECRET}"
}
variable "generation" {
  type    = string
  default = "1"
}
variable "keep_extra" {
  type    = bool
  default = true
}
variable "hold_lock_seconds" {
  type    = number
  default = 0
}
resource "terraform_data" "app" {
  input            = var.image
  triggers_replace = [var.generation]
}
resource "terraform_data" "extra" {
  count = var.keep_extra ? 1 : 0
  input = "extra"
}
resource "terraform_data" "secret" {
  input = var.secret
}
resource "terraform_data" "slow" {
  count = var.hold_lock_seconds > 0 ? 1 : 0
  provisioner "local-exec" {
    command = "sleep \${var.hold_lock_seconds}"
  }
}
output "image" {
  value = terraform_data.app.output
}
output "secret" {
  value     = var.secret
  sensitive = true
}
`;

const directories: string[] = [];
let cliConfig: string;
const env = (): Record<string, string> => ({
  // The machine's TF_CLI_CONFIG_FILE may point at a file that does not exist: use an empty one.
  TF_CLI_CONFIG_FILE: cliConfig,
  TF_IN_AUTOMATION: '1',
  CHECKPOINT_DISABLE: '1',
});

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-cli-config-'));
  directories.push(dir);
  cliConfig = join(dir, 'terraformrc');
  writeFileSync(cliConfig, '');
});

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

/** The real CLI, its output kept out of the jest log but returned. */
const quietRun: CommandRunner = (command, args, options = {}) =>
  runCommand(command, args, { ...options, silent: true });

function workspace(config = CONFIG, lockTimeout = '5s') {
  const dir = mkdtempSync(join(tmpdir(), 'tf-stage-'));
  directories.push(dir);
  writeFileSync(join(dir, 'main.tf'), config);
  const recorder = createRecorder();
  const terraform = createTerraform(
    { run: quietRun, log: recorder.log, clock: systemClock, env: env() },
    { workingDirectory: dir, lockTimeout },
  );
  let plans = 0;
  const plan = ({ image = IMAGE, ...variables }: Record<string, string> = {}) =>
    terraform.plan({
      variables,
      overrides: { image },
      varFiles: [],
      planFile: join(dir, `plan-${++plans}.tfplan`),
    });
  return { dir, recorder, terraform, plan };
}

async function initialised(config?: string, lockTimeout?: string) {
  const ws = workspace(config, lockTimeout);
  await ws.terraform.init({ backendConfig: {} });
  return ws;
}

async function applied(terraform: Terraform, plan: () => ReturnType<Terraform['plan']>) {
  const first = await plan();
  await terraform.apply(first.planFile);
}

describe('terraform stage with the real CLI', () => {
  it("keeps the runner's cache service token out of what the configuration can read (a pull request's plan)", async () => {
    // What a pull request's Terraform can do: read its own process environment at plan time.
    const reader = `
variable "image" {
  type = string
}
output "environment" {
  value = replace(file("/proc/self/environ"), "\\u0000", "\\n")
}
`;
    const runner = {
      ACTIONS_RUNTIME_TOKEN: 'runner-cache-token-for-this-job',
      ACTIONS_RESULTS_URL: 'https://results.example/',
      ACTIONS_CACHE_URL: 'https://cache.example/',
    };
    Object.assign(process.env, runner);
    try {
      const { plan } = await initialised(reader);
      const { planText } = await plan();
      expect(planText).toContain('TF_IN_AUTOMATION=1');
      for (const [name, value] of Object.entries(runner)) {
        expect(planText).not.toContain(name);
        expect(planText).not.toContain(value);
      }
    } finally {
      for (const name of Object.keys(runner)) Reflect.deleteProperty(process.env, name);
    }
  });

  it('plans changes (exit 2), applies exactly the saved plan, and reads the outputs', async () => {
    const { terraform, plan, recorder } = await initialised();
    const first = await plan();
    expect(first.summary).toMatchObject({ add: 3, change: 0, destroy: 0, replace: 0, hasChanges: true });
    expect(first.summary.resourceChanges.map((change) => change.address)).toEqual([
      'terraform_data.app',
      'terraform_data.extra[0]',
      'terraform_data.secret',
    ]);
    expect(first.planText).toContain('terraform_data.app will be created');

    await terraform.apply(first.planFile);
    const outputs = await terraform.outputs();
    expect(readDeployedImage(outputs)).toBe(IMAGE);
    expect(outputs.secret?.sensitive).toBe(true);
    expect(recorder.text()).toMatch(
      /terraform plan: 3 to add, 0 to change, 0 to destroy, 0 to replace, fingerprint sha256:\w+ \(\d/,
    );
    expect(recorder.text()).toMatch(/terraform apply: applied \(/);
  });

  it('sees no changes (exit 0) when the state matches, with a stable fingerprint', async () => {
    const { terraform, plan } = await initialised();
    await applied(terraform, plan);
    const again = await plan();
    const andAgain = await plan();
    expect(again.summary.hasChanges).toBe(false);
    expect(again.summary.resourceChanges).toEqual([]);
    expect(andAgain.summary.fingerprint).toBe(again.summary.fingerprint);
  });

  it('plans an update for a new image and a replacement for a changed trigger', async () => {
    const { terraform, plan } = await initialised();
    await applied(terraform, plan);
    const update = await plan({ image: NEXT_IMAGE });
    expect(update.summary).toMatchObject({ add: 0, change: 1, destroy: 0, replace: 0 });
    const replace = await plan({ generation: '2' });
    expect(replace.summary).toMatchObject({ add: 0, change: 0, destroy: 0, replace: 1 });
    expect(replace.summary.resourceChanges).toEqual([
      {
        address: 'terraform_data.app',
        type: 'terraform_data',
        action: 'replace',
        reason: 'replace_because_cannot_update',
      },
    ]);
    expect(update.summary.fingerprint).not.toBe(replace.summary.fingerprint);
  });

  it('catches a delete of a protected type before anything is applied', async () => {
    const { terraform, plan } = await initialised();
    await applied(terraform, plan);
    const shrink = await plan({ keep_extra: 'false' });
    expect(shrink.summary.destroy).toBe(1);
    const refusal = destroyGuard(shrink.summary, { protectedTypes: ['terraform_data'], allowDestroy: false });
    expect(refusal?.message).toContain('destroy terraform_data.extra[0]');
    expect(
      destroyGuard(shrink.summary, { protectedTypes: ['aws_vpc'], allowDestroy: false }),
    ).toBeUndefined();
  });

  it('keeps sensitive variable and output values out of the plan text and the summary', async () => {
    const { plan } = await initialised();
    const first = await plan();
    expect(first.planText).toContain('(sensitive value)');
    expect(first.planText).not.toContain(SECRET);
    expect(JSON.stringify(first.summary)).not.toContain(SECRET);
    expect(first.summary.outputChanges).toContainEqual({ name: 'secret', action: 'create', sensitive: true });
  });

  it('fails with Terraform’s own error (exit 1), quoted without box drawing', async () => {
    const { plan } = await initialised(
      `${CONFIG}\nresource "terraform_data" "broken" {\n  input = var.missing\n}\n`,
    );
    const failure = await rejection(plan());
    expect(failure.reason).toBe('terraform-plan-failed');
    expect(failure.message).toMatch(
      /terraform plan failed \(exit 1\):\nError: Reference to undeclared input variable/,
    );
    expect(failure.message).not.toMatch(/[│╷╵]/);
  });

  it('refuses a saved plan the state has moved past', async () => {
    const { terraform, plan } = await initialised();
    await applied(terraform, plan);
    const stale = await plan({ image: NEXT_IMAGE });
    const newer = await plan({ generation: '2' });
    await terraform.apply(newer.planFile);
    const failure = await rejection(terraform.apply(stale.planFile));
    expect(failure.reason).toBe('plan-stale');
    expect(failure.nextSteps).toContain('re-run this deploy');
  });

  describe('a state lock held by another run', () => {
    let holder: ChildProcess | undefined;

    afterEach(async () => {
      if (holder && holder.exitCode === null) {
        const exited = new Promise((resolve) => holder?.once('exit', resolve));
        holder.kill('SIGKILL');
        await exited;
      }
    });

    it('waits lock-timeout, then fails naming the lock and what to do', async () => {
      const { dir, plan } = await initialised(CONFIG, '1s');
      holder = spawn(
        'terraform',
        ['apply', '-auto-approve', '-input=false', `-var=image=${IMAGE}`, '-var=hold_lock_seconds=30'],
        {
          cwd: dir,
          env: { ...process.env, ...env() },
          stdio: 'ignore',
        },
      );
      const lockFile = join(dir, '.terraform.tfstate.lock.info');
      const deadline = Date.now() + 30_000;
      while (!existsSync(lockFile) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(existsSync(lockFile)).toBe(true);

      const { reason, message, nextSteps } = await rejection(plan());
      expect(reason).toBe('state-locked');
      expect(message).toMatch(/lock ID [0-9a-f-]{36}; waited 1s \(lock-timeout\)/);
      expect(message).toMatch(/held by \S+@/);
      expect(nextSteps).toMatch(/terraform force-unlock [0-9a-f-]{36}/);
    });

    it('plans for review without the lock (lock: false), so a read-only plan role needs no lock write', async () => {
      const { dir } = await initialised(CONFIG, '1s');
      holder = spawn(
        'terraform',
        ['apply', '-auto-approve', '-input=false', `-var=image=${IMAGE}`, '-var=hold_lock_seconds=30'],
        { cwd: dir, env: { ...process.env, ...env() }, stdio: 'ignore' },
      );
      const lockFile = join(dir, '.terraform.tfstate.lock.info');
      const deadline = Date.now() + 30_000;
      while (!existsSync(lockFile) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(existsSync(lockFile)).toBe(true);
      const lockBefore = readFileSync(lockFile, 'utf8');

      const calls: string[][] = [];
      const recording: CommandRunner = (command, args, options) => {
        calls.push(args);
        return quietRun(command, args, options);
      };
      const planOnly = createTerraform(
        { run: recording, log: createRecorder().log, clock: systemClock, env: env() },
        { workingDirectory: dir, lockTimeout: '1s', lock: false },
      );
      // Not the image the holder applies: Terraform persists state while an apply runs, so by now
      // the state may already hold the holder's resources, and the same image could plan nothing.
      const reviewed = await planOnly.plan({
        variables: {},
        overrides: { image: `${IMAGE}-reviewed` },
        varFiles: [],
        planFile: join(dir, 'review.tfplan'),
      });
      expect(reviewed.summary.hasChanges).toBe(true);
      expect(calls[0]).toContain('-lock=false');
      expect(calls[0]?.some((arg) => arg.startsWith('-lock-timeout'))).toBe(false);
      // The other run's lock is untouched: the plan neither took nor released it.
      expect(readFileSync(lockFile, 'utf8')).toBe(lockBefore);
    });
  });

  it('explains a missing terraform binary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-stage-'));
    directories.push(dir);
    const terraform = createTerraform(
      {
        run: quietRun,
        log: createRecorder().log,
        clock: systemClock,
        env: env(),
        binary: 'terraform-not-installed',
      },
      { workingDirectory: dir, lockTimeout: '1s' },
    );
    const failure = await rejection(terraform.init({ backendConfig: {} }));
    expect(failure.reason).toBe('terraform-unavailable');
    expect(failure.nextSteps).toContain('hashicorp/setup-terraform');
  });
});
