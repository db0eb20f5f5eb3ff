/**
 * Rehearses YOUR app: deploys each build context given, in order, as one release into the EMULATED
 * region exactly as the demo deploys app/ (`startLiveFleet`: the container runtime's registry with
 * its CA trusted, the region with a live data plane, the bundled stack's state bucket, Terraform
 * from the filesystem mirror), through the action's bundle, `node dist/index.js`:
 *
 *   bash scripts/rehearse.sh [--keep] <build-context> [<build-context> ...]
 *
 * Each context is built with docker on the runtime's offline base image (passed as the
 * PYTHON_IMAGE build argument), pushed to the local registry and deployed by digest; the first
 * release creates the stack, every later one rolls out over it. After each release it prints what
 * the load balancer serves. --keep leaves the region up (Ctrl-C tears it down). See the README's
 * "Rehearse your own app".
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildRelease, type AppRelease } from '../emulation/appReleases';
import { startLiveFleet, type RunningFleet } from '../emulation/liveDeploy';
import { EMULATED_CREDENTIALS } from '../emulation/region';
import { printRun } from '../emulation/runAction';
import { CONTROL_CHARACTER, onOneLine } from '../src/text';

const USAGE = 'usage: bash scripts/rehearse.sh [--no-setup] [--keep] <build-context> [<build-context> ...]';
const TIME_SCALE = 5;
const ACTION_BUNDLE = resolve(__dirname, '../dist/index.js');
const MAX_REDIRECTS = 5;

class UsageError extends Error {}

/** The app's own text (an HTTP answer) on one line, control characters shown as `?`. */
function inert(text: string): string {
  return onOneLine(text).replace(new RegExp(CONTROL_CHARACTER, 'g'), '?');
}

/** Everything wrong with a build context, found before anything starts. */
function contextProblem(context: string): string | undefined {
  if (!existsSync(context)) return `build context ${context}: no such directory`;
  if (!statSync(context).isDirectory()) return `build context ${context}: not a directory`;
  const dockerfile = join(context, 'Dockerfile');
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile())
    return `build context ${context}: no Dockerfile in it (docker builds <context>/Dockerfile)`;
  if (!/^\s*FROM\s+\S/im.test(readFileSync(dockerfile, 'utf8')))
    return `build context ${context}: its Dockerfile has no FROM line`;
  return undefined;
}

function parseCommandLine(): { contexts: string[]; keep: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ options: { keep: { type: 'boolean', default: false } }, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const contexts = parsed.positionals.map((context) => resolve(context));
  if (contexts.length === 0) throw new UsageError(`no build context given\n${USAGE}`);
  const problems = contexts.map(contextProblem).filter((problem) => problem !== undefined);
  if (!existsSync(ACTION_BUNDLE)) problems.push(`${ACTION_BUNDLE} is missing: run npm run build first`);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return { contexts, keep: parsed.values.keep };
}

/** Every file of the context, by path, sorted (.git aside). */
function contextFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !relative(dir, path).split('/').includes('.git'))
    .sort();
}

/**
 * The release's commit (REVISION): a hash of the context's content, so the same content is the
 * same commit and image, and a re-run of it changes nothing, as a re-run of one commit does.
 */
function contentCommit(context: string): string {
  const hash = createHash('sha1');
  for (const path of contextFiles(context)) {
    hash.update(`${relative(context, path)}\0`);
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

interface Answer {
  status: number;
  location?: string;
  body: string;
}

function get(address: string, host: string, path: string): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      { host: address, port: 80, path, headers: { Host: host }, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body = (body + chunk).slice(0, 64 * 1024);
        });
        res.on('end', () => {
          resolveAnswer({ status: res.statusCode ?? 0, location: res.headers.location, body });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`GET ${path}: no answer within 10 s`));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `GET / -> 301 /catalog/ -> 200 "title"`: same-site redirects followed, as the page check does. */
async function servedPage(address: string, host: string, path: string): Promise<string> {
  const steps = [`GET ${path}`];
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const answer = await get(address, host, path);
    const next = answer.location ? new URL(answer.location, `http://${host}${path}`) : undefined;
    if (answer.status >= 300 && answer.status < 400 && next?.host === host) {
      path = `${next.pathname}${next.search}`;
      steps.push(`${answer.status} ${inert(path)}`);
      continue;
    }
    const title = /<title>([^<]*)<\/title>/i.exec(answer.body)?.[1]?.trim();
    steps.push(`${answer.status}${title === undefined ? '' : ` "${inert(title)}"`}`);
    break;
  }
  return steps.join(' -> ');
}

/** What the load balancer serves now: the health answer and the page, each on one line. */
async function printServed(fleet: RunningFleet, number: number): Promise<void> {
  const { host, address } = await fleet.loadBalancer();
  const health = await get(address, host, '/health/').catch((error: unknown) => String(error));
  const healthLine = typeof health === 'string' ? health : `${health.status} ${health.body.trim()}`;
  console.log(`release ${number} serves: GET /health/ -> ${inert(healthLine)}`);
  const page = await servedPage(address, host, '/').catch((error: unknown) => String(error));
  console.log(`release ${number} serves: ${inert(page)}`);
}

async function deployRelease(fleet: RunningFleet, context: string, number: number): Promise<boolean> {
  const commit = contentCommit(context);
  // As the action's build names a release without a tag or branch: so one content, one image.
  const version = commit.slice(0, 12);
  console.log(`\n== release ${number}: ${context} (commit ${commit}, the hash of its content) ==`);
  console.log(`building with PYTHON_IMAGE=${fleet.runtime.baseImage} (docker build, push)...`);
  let release: AppRelease;
  try {
    release = buildRelease(fleet.runtime, fleet.dockerConfig, `${fleet.runtime.registry}/rehearsal/web`, {
      context,
      version,
      commit,
    });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    const said = stderr?.trim() ? stderr : message;
    console.log(`release ${number}: FAILED: docker build or push of ${context} failed:\n${said}`);
    return false;
  }
  console.log(`release ${number}: image ${release.image}`);
  const started = Date.now();
  const run = await fleet.deploy(release.image);
  printRun(`deploy of release ${number}`, run);
  const seconds = Math.round((Date.now() - started) / 1000);
  const { outputs } = run;
  if (run.exitCode !== 0) {
    console.log(
      `release ${number}: FAILED (${outputs['failure-reason'] ?? 'no failure-reason'}) after ${seconds} s`,
    );
    return false;
  }
  const change =
    outputs['plan-has-changes'] === 'false'
      ? 'no change planned'
      : `refresh ${outputs['refresh-status'] ?? 'not needed'}`;
  console.log(
    `release ${number}: DEPLOYED in ${seconds} s (${change}), ${outputs['app-url'] ?? ''}, ${release.image}`,
  );
  await printServed(fleet, number);
  return true;
}

/** --keep: the region stays up until Ctrl-C, with what reaches it printed. */
async function keepUp(fleet: RunningFleet): Promise<void> {
  const { host, address } = await fleet.loadBalancer();
  console.log(`\nthe stack stays up: curl -H 'Host: ${host}' http://${address}/`);
  const env = {
    AWS_ENDPOINT_URL: fleet.region.endpoint,
    AWS_REGION: fleet.region.region,
    AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
  };
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}='${value}'`);
  console.log('Ctrl-C tears it down.');
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
}

async function main(): Promise<number> {
  const { contexts, keep } = parseCommandLine();
  console.log(
    '== rehearsal: the AWS region below is EMULATED (moto + a live data plane on 127.0.0.0/8), not AWS ==',
  );
  const fleet = await startLiveFleet('rehearsal', TIME_SCALE);
  try {
    let failed = false;
    for (const [index, context] of contexts.entries()) {
      if (!(await deployRelease(fleet, context, index + 1))) {
        failed = true;
        break;
      }
    }
    console.log(`\nrehearsal ${failed ? 'FAILED' : 'passed'}: ${contexts.length} release(s) asked`);
    if (keep) await keepUp(fleet);
    return failed ? 1 : 0;
  } finally {
    await fleet.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`rehearse: ${error.message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
