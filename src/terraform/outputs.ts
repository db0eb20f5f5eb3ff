import { DeployError } from '../errors';
import { BASE_URL_EXPECTED, parseBaseUrl } from '../url';

/** `terraform output -json`: every root output by name. */
export type TerraformOutputs = Record<string, { value: unknown; sensitive: boolean } | undefined>;

/** What the rollout needs from the applied stack. */
export interface StackOutputs {
  asgName: string;
  targetGroupArn: string;
  launchTemplateId: string;
  launchTemplateVersion: number;
  albDnsName: string;
  appUrl: string;
  /** Where the instances' app logs go (optional output app_log_group): shown on a failed rollout. */
  appLogGroup: string | undefined;
  /** The stack's release alarms (optional output release_alarm_names): deploy's default rollback-alarms. */
  releaseAlarmNames: string[] | undefined;
}

const STACK_OUTPUTS = {
  asgName: 'asg_name',
  targetGroupArn: 'target_group_arn',
  launchTemplateId: 'launch_template_id',
  launchTemplateVersion: 'launch_template_version',
  albDnsName: 'alb_dns_name',
  appUrl: 'app_url',
} as const;

function outputText(outputs: TerraformOutputs, name: string): string | undefined {
  const value = outputs[name]?.value;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A list-of-strings output; undefined when absent or not such a list. */
function outputTextList(outputs: TerraformOutputs, name: string): string[] | undefined {
  const value = outputs[name]?.value;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return undefined;
  return value;
}

/**
 * The one reader of `terraform output -json`: each named output as text (undefined when absent or
 * empty), and the required ones that are missing, for an error that names them.
 */
export function readOutputs<K extends string>(
  outputs: TerraformOutputs,
  required: Record<K, string>,
): { text: (name: string) => string | undefined; required: Record<K, string>; missing: string[] } {
  const text = (name: string): string | undefined => outputText(outputs, name);
  const values = {} as Record<K, string>;
  const missing: string[] = [];
  for (const [key, name] of Object.entries(required) as [K, string][]) {
    const value = text(name);
    if (value === undefined) missing.push(name);
    values[key] = value ?? '';
  }
  return { text, required: values, missing };
}

/**
 * Reads the outputs the rollout is driven by. A configuration other than the bundled one must
 * declare the same names; a missing one is named, not guessed.
 */
export function readStackOutputs(outputs: TerraformOutputs): StackOutputs {
  const read = readOutputs(outputs, STACK_OUTPUTS);
  const { missing } = read;
  const version = Number(read.required.launchTemplateVersion);
  if (missing.length === 0 && !Number.isInteger(version)) missing.push(STACK_OUTPUTS.launchTemplateVersion);
  if (missing.length > 0) {
    throw new DeployError(
      'terraform-outputs-missing',
      `The applied configuration has no usable output ${missing.join(', ')} (the rollout needs ${Object.values(STACK_OUTPUTS).join(', ')}; launch_template_version must be a version number).`,
      'Declare these outputs in your working-directory configuration, as the bundled terraform/root_outputs.tf does.',
    );
  }
  return {
    ...read.required,
    launchTemplateVersion: version,
    appUrl: readAppUrl(read.required.appUrl),
    appLogGroup: read.text('app_log_group'),
    releaseAlarmNames: outputTextList(outputs, 'release_alarm_names'),
  };
}

/**
 * The app_url output is where the smoke check sends requests and what a failure names: it is held
 * to the rules of the app-url input, and refused before anything is rolled out.
 */
function readAppUrl(value: string): string {
  const url = parseBaseUrl(value);
  if (url !== undefined) return url;
  throw new DeployError(
    'terraform-outputs-missing',
    `The applied configuration's app_url output is not a usable URL (${JSON.stringify(value.slice(0, 200))}): ${BASE_URL_EXPECTED}.`,
    'Make the app_url output such a URL, as the bundled terraform/root_outputs.tf does.',
  );
}

/** The image the stack runs now: what `plan` uses when no image is given, so only infrastructure changes show. */
export function readDeployedImage(outputs: TerraformOutputs): string {
  const image = outputText(outputs, 'image');
  if (image === undefined) {
    throw new DeployError(
      'no-deployed-image',
      'The stack has no image output yet (nothing was deployed with this state), so plan has no image to plan with.',
      'Pass the image input (repo:tag or repo@sha256:...) for this plan; after the first deploy, plan uses the deployed image.',
    );
  }
  return image;
}
