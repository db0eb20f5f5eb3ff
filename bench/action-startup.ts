/**
 * Cold start, side by side with a reference action: the CPU time (user + system) and peak RSS of
 * `node dist/index.js` up to its first decision, for several commands, against the committed
 * bundle of amazon-ecs-deploy-task-definition (../shared/reference/, a node24 action that deploys
 * and waits) run the same way. Both run on Node 24, as GitHub runs node24 actions; the runs are
 * interleaved so a busy machine slows both alike.
 *
 *   npx tsx bench/action-startup.ts [runs]    (BENCH_NODE=/path/to/node picks the binary;
 *                                             HA_SHARED_DIR where ../shared is not beside us)
 *
 * First decisions measured, none of which reaches the network:
 * - invalid input: no inputs at all (the reference's only first decision: a missing input), also
 *   with step debug logging, where the bundle loads its source maps;
 * - plan: valid inputs up to `terraform init` (a stand-in terraform that fails);
 * - rollout: valid inputs up to the first AWS answer (a loopback server denying every call).
 *
 * Each child measures itself on exit (process.resourceUsage, through a --require probe that both
 * bundles get): rusage of children is not exposed to Node, and /usr/bin/time is not everywhere.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = join(__dirname, '..');
const OURS = join(ROOT, 'dist/index.js');
/** ../shared beside the repository, as CI clones it (HA_SHARED_DIR elsewhere, e.g. in a worktree). */
const SHARED = process.env.HA_SHARED_DIR ?? join(ROOT, '../shared');
const REFERENCE = join(SHARED, 'reference/amazon-ecs-deploy-task-definition/dist/index.js');
const runs = Number(process.argv[2] ?? 10);
const MIB = 1024 * 1024;
const GOAL = { cpuRatio: 0.7, peakRssMiB: 60 };

interface Usage {
  cpuMs: number;
  rssMiB: number;
}

interface Scenario {
  name: string;
  bundle: string;
  env: Record<string, string>;
  /** The output that proves the run reached the decision it is timed to. */
  expect: RegExp;
}

const scratch = mkdtempSync(join(tmpdir(), 'action-startup-'));
const probe = join(scratch, 'probe.cjs');
writeFileSync(
  probe,
  `process.on('exit', () => {
  const usage = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.STARTUP_PROBE_OUT, JSON.stringify(usage));
});\n`,
);

/** Node 24 as the runner has it: BENCH_NODE, or the one npx provides. */
function node24(): string {
  if (process.env.BENCH_NODE) return process.env.BENCH_NODE;
  const found = spawnSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`npx -y node@24 failed: ${found.stderr}`);
  return found.stdout.trim();
}

/** A terraform that fails at once: `plan` is timed up to the moment it runs terraform. */
function standInTerraform(): string {
  const bin = join(scratch, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'terraform'), '#!/bin/sh\necho "stand-in terraform: $*" >&2\nexit 1\n');
  chmodSync(join(bin, 'terraform'), 0o755);
  return bin;
}

/** Answers every AWS call with AccessDenied (Query protocol), as a role without permissions would. */
async function denyingAws(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
          '<Message>bench: denied</Message></Error><RequestId>bench</RequestId></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function inputs(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
  );
}

function scenarios(awsPort: number, terraformBin: string): Scenario[] {
  const common = {
    'aws-region': 'eu-west-1',
    'comment-on-pr': 'false',
  };
  const credentials = { AWS_ACCESS_KEY_ID: 'AKIDBENCHEXAMPLE', AWS_SECRET_ACCESS_KEY: 'bench-secret' };
  return [
    { name: 'reference: no inputs', bundle: REFERENCE, env: {}, expect: /Input required/ },
    { name: 'ours: invalid input', bundle: OURS, env: {}, expect: /invalid input/ },
    {
      name: 'ours: invalid input, debug (source maps)',
      bundle: OURS,
      env: { RUNNER_DEBUG: '1' },
      expect: /invalid input/,
    },
    {
      name: 'ours: plan, to terraform init',
      bundle: OURS,
      env: {
        ...inputs({ ...common, command: 'plan', 'backend-config': 'bucket=bench\nkey=bench.tfstate' }),
        PATH: `${terraformBin}:${process.env.PATH ?? ''}`,
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      },
      expect: /terraform init failed/,
    },
    {
      name: 'ours: rollout, to the first AWS answer',
      bundle: OURS,
      env: {
        ...inputs({
          ...common,
          command: 'rollout',
          'asg-name': 'bench-web',
          'target-group-arns':
            'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bench/0123456789abcdef',
          'aws-endpoint-url': `http://127.0.0.1:${awsPort}`,
        }),
        ...credentials,
      },
      expect: /lacks a permission/,
    },
  ];
}

async function measure(node: string, scenario: Scenario): Promise<Usage> {
  const out = join(scratch, 'usage.json');
  rmSync(out, { force: true });
  const child = spawn(node, ['--require', probe, scenario.bundle], {
    env: { PATH: process.env.PATH ?? '', HOME: scratch, STARTUP_PROBE_OUT: out, ...scenario.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  if (!scenario.expect.test(output))
    throw new Error(`${scenario.name}: did not reach its decision (${String(scenario.expect)}):\n${output}`);
  const usage = JSON.parse(readFileSync(out, 'utf8')) as NodeJS.ResourceUsage;
  // resourceUsage: CPU in microseconds, maxRSS in KiB.
  return { cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, rssMiB: (usage.maxRSS * 1024) / MIB };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function bundleSize(): string {
  const files = readdirSync(join(ROOT, 'dist')).filter((name) => name.endsWith('.js'));
  const bytes = files.reduce((sum, name) => sum + statSync(join(ROOT, 'dist', name)).size, 0);
  const gzipped = files.reduce(
    (sum, name) => sum + gzipSync(readFileSync(join(ROOT, 'dist', name))).length,
    0,
  );
  return `${files.length} files, ${(bytes / 1024).toFixed(0)} KiB (${(gzipped / 1024).toFixed(0)} KiB gzipped)`;
}

async function main(): Promise<void> {
  const node = node24();
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const server = await denyingAws();
  try {
    const list = scenarios((server.address() as AddressInfo).port, standInTerraform());
    const usages = new Map<Scenario, Usage[]>(list.map((scenario) => [scenario, []]));
    for (let i = 0; i < runs; i++) {
      for (const scenario of list) usages.get(scenario)?.push(await measure(node, scenario));
    }
    const reference = median(
      [...usages].flatMap(([scenario, measured]) =>
        scenario.bundle === REFERENCE ? measured.map((usage) => usage.cpuMs) : [],
      ),
    );
    console.log(`node ${version}, ${runs} interleaved runs each, to the first decision`);
    console.log(
      'scenario                                 CPU ms  vs reference  peak RSS MiB (median, max)  goal',
    );
    for (const [scenario, measured] of usages) {
      const cpu = median(measured.map((usage) => usage.cpuMs));
      const rss = measured.map((usage) => usage.rssMiB);
      const ratio = cpu / reference;
      const verdict =
        scenario.bundle !== OURS
          ? ''
          : ratio <= GOAL.cpuRatio && Math.max(...rss) <= GOAL.peakRssMiB
            ? 'met'
            : 'NOT met';
      console.log(
        `${scenario.name.padEnd(40)} ${cpu.toFixed(0).padStart(6)}  ${ratio.toFixed(2).padStart(11)}x  ` +
          `${median(rss).toFixed(1).padStart(6)}, ${Math.max(...rss)
            .toFixed(1)
            .padEnd(19)} ${verdict}`,
      );
    }
    console.log(
      `goal: CPU <= ${GOAL.cpuRatio}x the reference's median, every run's peak RSS <= ${GOAL.peakRssMiB} MiB`,
    );
    console.log(`bundle: ${bundleSize()}`);
  } finally {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
