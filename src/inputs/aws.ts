/** Where the AWS clients go: the region, and for tests an emulated region's endpoint and clock. */

import type { AwsSettings } from '../aws';
import type { InputParser } from './parser';

/**
 * Emulation only: simulated seconds per real second of the emulated region the action talks to, so
 * the rollout's waits run on the region's clock. Honoured only together with aws-endpoint-url.
 */
export const EMULATED_TIME_SCALE_VARIABLE = 'HA_DJANGO_DEPLOY_EMULATED_TIME_SCALE';

/** aws-region (or the runner's AWS_REGION), aws-endpoint-url, and the emulated region's time scale. */
export function parseAws(inputs: InputParser): AwsSettings {
  const endpointUrl = inputs.url('aws-endpoint-url');
  return { region: inputs.region(), endpointUrl, timeScale: emulatedTimeScale(inputs, endpointUrl) };
}

/** The emulation-only time scale: 1 unless the variable is set, and then only with an endpoint. */
function emulatedTimeScale(inputs: InputParser, endpointUrl: string | undefined): number {
  const value = inputs.env[EMULATED_TIME_SCALE_VARIABLE]?.trim() ?? '';
  if (value === '') return 1;
  const scale = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || scale <= 0) {
    inputs.problems.push(
      `${EMULATED_TIME_SCALE_VARIABLE}: ${JSON.stringify(value)}; expected a number greater than 0 (emulated regions only).`,
    );
    return 1;
  }
  if (endpointUrl === undefined) {
    inputs.problems.push(
      `${EMULATED_TIME_SCALE_VARIABLE}: set without aws-endpoint-url; it only applies to an emulated region and would distort every wait against AWS. Unset it.`,
    );
    return 1;
  }
  return scale;
}
