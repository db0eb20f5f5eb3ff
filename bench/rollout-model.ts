/**
 * Modelled wall time of a 2-instance instance refresh with the bundled stack's settings, beside
 * the same model with AWS's defaults.
 *
 *   npx tsx bench/rollout-model.ts
 *
 * The settings are read from terraform/ with the real HCL parser, so the figure follows the code.
 * Model (MinHealthyPercentage 100, MaxHealthyPercentage 200: both replacements launch at once):
 *   launch + boot + docker install + image pull   BOOT_SECONDS (same for both columns)
 *   -> first health check passes the threshold    interval x healthy threshold
 *   -> refresh waits the instance warmup          max(warmup, time to healthy)
 *   -> old instances drain                        deregistration delay
 * Auto Scaling acts on ELB health only after the grace period, which bounds how soon a bad release
 * is replaced; it is printed as well.
 */
import { parse } from '@cdktf/hcl2json';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const STACK = join(__dirname, '../terraform/modules/web-tier');
/** Launch, boot, `dnf install docker` and a ~215 MB image pull from a registry, typical on t3.small. */
const BOOT_SECONDS = 75;

interface Settings {
  interval: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  deregistrationDelay: number;
  warmup: number;
  gracePeriod: number;
}

const AWS_DEFAULTS: Settings = {
  interval: 30,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
  deregistrationDelay: 300,
  // Without a warmup setting a refresh waits the group's health check grace period (default 300).
  warmup: 300,
  gracePeriod: 300,
};

type Hcl = Record<string, Record<string, Record<string, Record<string, unknown>[]>>>;

async function read(file: string): Promise<Hcl> {
  return (await parse(file, readFileSync(join(STACK, file), 'utf8'))) as Hcl;
}

function variableDefault(variables: Hcl, name: string): number {
  const value = (variables.variable?.[name] as unknown as Record<string, unknown>[] | undefined)?.[0]
    ?.default;
  if (typeof value !== 'number') throw new Error(`variables.tf: ${name} has no numeric default`);
  return value;
}

async function bundledSettings(): Promise<Settings> {
  const [alb, variables] = await Promise.all([read('alb.tf'), read('variables.tf')]);
  const targetGroup = alb.resource?.aws_lb_target_group?.web?.[0] ?? {};
  const check = (targetGroup.health_check as Record<string, unknown>[] | undefined)?.[0] ?? {};
  return {
    interval: Number(check.interval),
    healthyThreshold: Number(check.healthy_threshold),
    unhealthyThreshold: Number(check.unhealthy_threshold),
    deregistrationDelay: variableDefault(variables, 'deregistration_delay'),
    warmup: variableDefault(variables, 'instance_warmup'),
    gracePeriod: variableDefault(variables, 'health_check_grace_period'),
  };
}

function model(settings: Settings) {
  const toHealthy = settings.interval * settings.healthyThreshold;
  const ready = BOOT_SECONDS + Math.max(settings.warmup, toHealthy);
  return {
    toHealthy,
    ready,
    total: ready + settings.deregistrationDelay,
    badReleaseNoticed: BOOT_SECONDS + settings.interval * settings.unhealthyThreshold,
  };
}

async function main(): Promise<void> {
  const ours = await bundledSettings();
  const rows: [string, (s: Settings, m: ReturnType<typeof model>) => string][] = [
    [
      'health check interval x healthy threshold',
      (s, m) => `${s.interval} s x ${s.healthyThreshold} = ${m.toHealthy} s`,
    ],
    ['instance warmup', (s) => `${s.warmup} s`],
    ['deregistration delay', (s) => `${s.deregistrationDelay} s`],
    ['health check grace period', (s) => `${s.gracePeriod} s`],
    ['new instances serving (boot + healthy/warmup)', (_s, m) => `${m.ready} s`],
    ['2-instance refresh done (old drained)', (_s, m) => `${m.total} s`],
    ['bad release seen unhealthy (boot + interval x unhealthy)', (_s, m) => `${m.badReleaseNoticed} s`],
  ];
  const bundled = model(ours);
  const defaults = model(AWS_DEFAULTS);
  console.log(`Modelled 2-instance instance refresh (min 100% / max 200%, boot + pull ${BOOT_SECONDS} s)\n`);
  console.log(`${''.padEnd(58)} ${'bundled stack'.padStart(16)} ${'AWS defaults'.padStart(16)}`);
  for (const [label, value] of rows) {
    console.log(
      `${label.padEnd(58)} ${value(ours, bundled).padStart(16)} ${value(AWS_DEFAULTS, defaults).padStart(16)}`,
    );
  }
  const saved = defaults.total - bundled.total;
  console.log(
    `\nThe bundled settings finish ${saved} s (${Math.round((100 * saved) / defaults.total)}%) sooner.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
