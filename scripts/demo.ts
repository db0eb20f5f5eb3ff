/**
 * The README's first command: runs the action's bundle, `node dist/index.js`, against an emulated
 * AWS region on 127.0.0.1 (moto plus the instance-refresh harness in __tests__/emulated-region)
 * and prints the real log and job summary. No AWS account is touched.
 */
import { startEmulatedRegion } from '../__tests__/support/emulatedRegion';
import { startHealthServer } from '../__tests__/support/healthServer';
import { runAction } from '../__tests__/support/runAction';
import { seedRegion } from '../__tests__/support/seedRegion';

async function main(): Promise<number> {
  console.log('== ha-django-deploy demo: the region below is EMULATED (moto on 127.0.0.1), not AWS ==\n');
  const region = await startEmulatedRegion();
  const app = await startHealthServer();
  try {
    const stack = await seedRegion({
      endpoint: region.endpoint,
      region: region.region,
      healthCheckGracePeriod: 30,
    });
    console.log(
      `seeded ${stack.asgName}: 2 instances on launch template ${stack.launchTemplateId} v${stack.versions[0]}, new release v${stack.versions[1]}\n`,
    );
    const run = await runAction(
      {
        command: 'rollout',
        'aws-region': region.region,
        'aws-endpoint-url': region.endpoint,
        'asg-name': stack.asgName,
        'instance-warmup': '30',
        'poll-interval-seconds': '0.5',
        'app-url': app.url,
      },
      {},
      { echo: true },
    );
    console.log('\n== outputs ==');
    for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}=${value}`);
    console.log('\n== job summary ==');
    console.log(run.summary);
    return run.exitCode;
  } finally {
    await app.close();
    await region.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
