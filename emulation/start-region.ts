/**
 * Starts the emulated region alone, prints its endpoint and the environment that points the AWS
 * CLI, the SDKs, Terraform and the action at it, and serves until Ctrl-C (or SIGTERM):
 *
 *   npx tsx emulation/start-region.ts [--time-scale S] [--data-plane]
 *
 * --data-plane boots the instances for real, which needs the container runtime
 * (emulation/container-runtime/runtime.sh, brought up here; it needs root). See emulation/README.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loginToRegistry } from './appReleases';
import { startContainerRuntime } from './containerRuntime';
import { EMULATED_CREDENTIALS, startEmulatedRegion, type EmulatedRegionOptions } from './region';

const USAGE = 'usage: npx tsx emulation/start-region.ts [--time-scale S] [--data-plane]';

function timeScaleOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`--time-scale: "${value}" is not a positive number\n${USAGE}`);
  return scale;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'time-scale': { type: 'string' }, 'data-plane': { type: 'boolean', default: false } },
  });
  const options: EmulatedRegionOptions = { timeScale: timeScaleOf(values['time-scale']) };
  const dockerConfig = values['data-plane']
    ? mkdtempSync(join(tmpdir(), 'emulated-region-docker-'))
    : undefined;
  if (dockerConfig) {
    const runtime = await startContainerRuntime();
    loginToRegistry(runtime, dockerConfig);
    options.dataPlane = { dockerHost: runtime.dockerHost, dockerConfig };
  }
  const region = await startEmulatedRegion(options);
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: region.endpoint,
    AWS_REGION: region.region,
    AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
    ...region.actionClockEnv(),
    ...region.resolverEnv,
  };
  console.log(`emulated region ${region.region} at ${region.endpoint} (time scale ${region.timeScale})`);
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}='${value}'`);
  console.log('Ctrl-C stops it (and every container its data plane started).');

  const stop = (): void => {
    void region.stop().finally(() => {
      if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
