/** `deploy`'s migration inputs, read through the release stage's own settings parser. */

import { parseReleaseSettings, type ReleaseSettings } from '../release/settings';
import type { InputParser } from './parser';

/**
 * A command input given empty turns its step off: the runner sets INPUT_<NAME> for every input it
 * passes, so only one not given at all (a local run of the bundle) falls back to the default.
 */
export function parseRelease(inputs: InputParser): ReleaseSettings {
  const givenEmpty = (name: string) => inputs.env[`INPUT_${name.toUpperCase()}`]?.trim() === '';
  return parseReleaseSettings({
    given: (name) => (givenEmpty(name) ? '' : inputs.raw(name)),
    integer: (name, min, max) => inputs.integer(name, min, max),
    boolean: (name) => inputs.boolean(name),
    problem: (name, value, expected) => {
      inputs.problem(name, value, expected);
    },
  });
}
