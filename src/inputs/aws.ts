/** Where the AWS clients go: the region, and for tests an emulated region's endpoint and clock. */

import type { AwsSettings } from '../aws';
import type { ClockAnchor } from '../clock';
import type { InputParser } from './parser';

/**
 * Emulation only: simulated seconds per real second of the emulated region the action talks to, so
 * the rollout's waits run on the region's clock. Honoured only together with aws-endpoint-url.
 */
export const EMULATED_TIME_SCALE_VARIABLE = 'HA_DJANGO_DEPLOY_EMULATED_TIME_SCALE';

/**
 * Emulation only: `<real epoch ms>:<simulated epoch ms>`, one instant on both clocks, so the scale
 * test's clock shows the region's own dates (those on its metric datapoints and scaling activities).
 */
export const EMULATED_CLOCK_ANCHOR_VARIABLE = 'HA_DJANGO_DEPLOY_EMULATED_CLOCK_ANCHOR';

/** aws-region (or the runner's AWS_REGION), aws-endpoint-url, and the emulated region's clock. */
export function parseAws(inputs: InputParser): AwsSettings {
  const endpointUrl = inputs.url('aws-endpoint-url');
  const timeScale = emulatedTimeScale(inputs, endpointUrl);
  const clockAnchor = emulatedClockAnchor(inputs, endpointUrl);
  return { region: inputs.region(), endpointUrl, timeScale, ...(clockAnchor ? { clockAnchor } : {}) };
}

function emulatedClockAnchor(inputs: InputParser, endpointUrl: string | undefined): ClockAnchor | undefined {
  const value = inputs.env[EMULATED_CLOCK_ANCHOR_VARIABLE]?.trim() ?? '';
  if (value === '') return undefined;
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value);
  if (!match || endpointUrl === undefined) {
    inputs.problems.push(
      `${EMULATED_CLOCK_ANCHOR_VARIABLE}: ${JSON.stringify(value)}; expected <real epoch ms>:<simulated epoch ms>, and only with aws-endpoint-url (emulated regions only).`,
    );
    return undefined;
  }
  return { realMs: Number(match[1]), simulatedMs: Number(match[2]) };
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
