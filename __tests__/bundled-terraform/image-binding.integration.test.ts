/**
 * The bundled stack, applied by the real Terraform CLI and AWS provider into the emulated region:
 * its saved plan at a new image differs from its plan at the deployed image in the image alone
 * (the launch template's description and base64 user_data, latest_version recomputed, the `image`
 * and `launch_template_version` outputs), so require-approved-plan accepts a release; a variable
 * changed beside the image is still bound.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATED_CREDENTIALS, startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { copyStack, prepareEmulatedStack, terraformEnv } from '../../emulation/stack';
import { summarizePlan, type PlanSummary } from '../../src/terraform';

const DEPLOYED = `127.0.0.1:5000/acme/web@sha256:${'a'.repeat(64)}`;
const RELEASE = `127.0.0.1:5000/acme/web@sha256:${'b'.repeat(64)}`;

let region: EmulatedRegion;
let dir: string;
let planAt: (image: string, variables?: Record<string, string>) => PlanSummary;

beforeAll(async () => {
  region = await startEmulatedRegion();
  const stack = await prepareEmulatedStack(region);
  dir = copyStack(stack, mkdtempSync(join(tmpdir(), 'image-binding-')));
  const env = {
    ...process.env,
    ...terraformEnv(),
    AWS_ENDPOINT_URL: region.endpoint,
    AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
    AWS_REGION: region.region,
  };
  const terraform = (args: string[]) =>
    execFileSync('terraform', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const flags = (values: Record<string, string>) =>
    Object.entries(values).map(([name, value]) => `-var=${name}=${value}`);
  const backend = Object.entries(stack.backendConfig).map(
    ([key, value]) => `-backend-config=${key}=${value}`,
  );
  terraform(['init', '-input=false', '-no-color', ...backend]);
  terraform([
    'apply',
    '-auto-approve',
    '-input=false',
    '-no-color',
    ...flags(stack.variables),
    `-var=image=${DEPLOYED}`,
  ]);
  planAt = (image, variables = {}) => {
    const planFile = join(dir, 'check.tfplan');
    terraform([
      'plan',
      '-input=false',
      '-no-color',
      `-out=${planFile}`,
      ...flags({ ...stack.variables, ...variables, image }),
    ]);
    return summarizePlan(JSON.parse(terraform(['show', '-json', planFile])));
  };
}, 900_000);

afterAll(async () => {
  await region.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the bundled stack under require-approved-plan', () => {
  it('binds a release at a new image to the plan reviewed at the deployed image', () => {
    const reviewed = planAt(DEPLOYED, { cpu_target: '55' });
    const release = planAt(RELEASE, { cpu_target: '55' });

    expect(release.resourceChanges.map((change) => change.address)).toContain(
      'module.web_tier.aws_launch_template.web',
    );
    expect(release.imageOnly).toEqual([
      'module.web_tier.aws_launch_template.web',
      'output.image',
      'output.launch_template_version',
    ]);
    expect(release.bound).toEqual(reviewed.bound);
    expect(release.fingerprint).toBe(reviewed.fingerprint);
  });

  it('binds a variable changed beside the image', () => {
    const reviewed = planAt(DEPLOYED, { cpu_target: '55' });
    const release = planAt(RELEASE, { cpu_target: '65' });
    expect(release.fingerprint).not.toBe(reviewed.fingerprint);
  });
});
