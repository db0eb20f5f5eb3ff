/**
 * An alarm failure, measured on the emulated region's live data plane: a release that passes its
 * health checks but answers 500 to one request in four on the real home page is deployed under
 * load; the stack's release alarms (the 5xx share of requests, from the real haproxy's request log)
 * fire while the refresh rolls or bakes, and AWS rolls it back.
 *
 *   npx tsx bench/alarm-rollback.ts
 *
 * One stack (the bundled Terraform, 2 instances of the real app) is created with release 1; then
 * release 2 (HOME_FAILS_ONE_IN_FOUR) rolls out through the action (`node dist/index.js`, deploy by
 * digest, the stack's release alarms, the default 300 s bake) while 3 keep-alive clients, 20 ms
 * apart, GET / through the load balancer. Time scale 5 (alarm periods: 60 s of AWS time, 12 s
 * real). Prints the failure reason, the requests and failed requests meanwhile, and the time from
 * the first failed request to the fleet serving release 1 again.
 */
import { buildAppRelease, HOME_FAILS_ONE_IN_FOUR } from '../emulation/appReleases';
import { alarmRollbackLines, deployFailingRelease } from '../emulation/alarmRollback';
import { liveDeployInputs, withLiveFleet } from '../emulation/liveDeploy';
import { runAction } from '../emulation/runAction';

const TIME_SCALE = 5;

async function main(): Promise<number> {
  return withLiveFleet('bench-alarm-rollback', TIME_SCALE, async (fleet) => {
    const { region, runtime, dockerConfig } = fleet;
    const repository = `${runtime.registry}/bench/web`;
    const deploy = (image: string) =>
      runAction(
        liveDeployInputs(fleet, image, {
          'poll-interval-seconds': '1',
          'wait-timeout-minutes': '20',
          // deploy's default: the stack's release alarms (the emulated suites' inputs turn them off).
          'rollback-alarms': '',
        }),
        fleet.actionEnv,
      );
    const good = buildAppRelease(runtime, dockerConfig, repository, '1');
    const bad = buildAppRelease(runtime, dockerConfig, repository, '2', HOME_FAILS_ONE_IN_FOUR);
    const created = await deploy(good.image);
    if (created.exitCode !== 0) throw new Error(`creating the stack failed:\n${created.stdout}`);
    const started = Date.now();
    const result = await deployFailingRelease(region, '2', () => deploy(bad.image));
    for (const line of alarmRollbackLines(result, TIME_SCALE)) console.log(line);
    console.log(`deploy wall time: ${Math.round((Date.now() - started) / 1000)} s`);
    const alarmLines = result.run.stdout.split('\n').filter((line) => /alarm \S+: |Release alarm/.test(line));
    console.log(alarmLines.join('\n'));
    return result.run.outputs['failure-reason'] === 'alarm-rolled-back' ? 0 : 1;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
