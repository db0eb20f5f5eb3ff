/**
 * The run-once script the bundled user-data installs on every host (/etc/app/run-once), run by
 * real bash with a stand-in `docker` on PATH: the stand-in runs the one-off's command as a local
 * process and `docker stop` ends it, so the script's own bounding (its deadline and a cancel that
 * kills its process group, as the SSM agent does) is what is under test.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEMPLATE = join(__dirname, '../../terraform/modules/web-tier/user_data.sh.tftpl');

/** The script as the host gets it: the heredoc's body, with Terraform's `$${` escape undone. */
function runOnceScript(): string {
  const template = readFileSync(TEMPLATE, 'utf8');
  const body = /cat > \/etc\/app\/run-once <<'SCRIPT'\n([\s\S]*?)\nSCRIPT\n/.exec(template)?.[1];
  if (body === undefined) throw new Error('no run-once heredoc in the user-data template');
  return body.replace(/\$\$\{/g, '${');
}

/** `docker run --rm --cidfile F [--env X]... IMAGE CMD...` runs CMD here, outside the caller's process group; `docker stop ID` kills it. */
const FAKE_DOCKER = `#!/bin/bash
echo "$*" >> "$DOCKER_CALLS"
case "$1" in
  run)
    shift
    while [ $# -gt 0 ]; do
      case "$1" in
        --rm) shift ;;
        --cidfile) cidfile=$2; shift 2 ;;
        --env) export "$2"; shift 2 ;;
        *) break ;;
      esac
    done
    shift # the image
    # Its own session: the daemon runs a container, not the script's process group.
    setsid "$@" &
    echo "$!" > "$cidfile"
    wait "$!"
    ;;
  stop) kill -TERM "\${@: -1}" ;;
esac
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-once-'));
  writeFileSync(join(dir, 'run-once'), runOnceScript());
  writeFileSync(join(dir, 'docker'), FAKE_DOCKER);
  chmodSync(join(dir, 'run-once'), 0o755);
  chmodSync(join(dir, 'docker'), 0o755);
  writeFileSync(join(dir, 'options'), '--env\nAPP_GREETING=from-the-app-environment\n');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runOnce(timeoutSeconds: number, command: string[], onStart?: (pid: number) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      join(dir, 'run-once'),
      [String(timeoutSeconds), 'registry.example/app@sha256:abc', ...command],
      {
        env: {
          PATH: `${dir}:/usr/bin:/bin`,
          APP_CONTAINER_OPTIONS: join(dir, 'options'),
          DOCKER_CALLS: join(dir, 'calls'),
        },
        detached: true, // its own process group, as the SSM agent starts a script
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    if (onStart && child.pid) onStart(child.pid);
  });
}

function dockerCalls(): string[] {
  try {
    return readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
}

async function eventually(check: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it("runs the command in a one-off container with the app's options and passes its output and exit status through", async () => {
  const result = await runOnce(30, ['sh', '-c', 'echo "hello $APP_GREETING"; echo oops >&2; exit 3']);
  expect(result.stdout).toBe('hello from-the-app-environment\n');
  expect(result.stderr).toBe('oops\n');
  expect(result.code).toBe(3);
  expect(dockerCalls()[0]).toMatch(
    /^run --rm --cidfile \S+ --env APP_GREETING=from-the-app-environment registry\.example\/app@sha256:abc sh -c /,
  );
  expect(dockerCalls().some((call) => call.startsWith('stop'))).toBe(false);
});

it('stops the container at its deadline and exits 124', async () => {
  const result = await runOnce(1, ['sleep', '60']);
  expect(result.code).toBe(124);
  expect(result.stderr).toContain('outlasted its 1 s budget; stopping its container');
  expect(dockerCalls().filter((call) => call.startsWith('stop'))).toHaveLength(1);
});

it("stops the container when its process group is killed, as SSM's cancel does", async () => {
  let scriptPid = 0;
  const finished = runOnce(300, ['sleep', '120'], (pid) => (scriptPid = pid));
  await eventually(() => dockerCalls().length > 0);
  process.kill(-scriptPid, 'SIGKILL');
  await finished;
  await eventually(() => dockerCalls().some((call) => call.startsWith('stop')));
  const pid = Number(readFileSync(join(dir, 'calls'), 'utf8').match(/^stop --time 10 (\d+)$/m)?.[1]);
  expect(pid).toBeGreaterThan(0);
  await eventually(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
});
