import type { InputReader } from '../../src/inputs';

/** An input reader over a plain object, the way the runner exposes `with:` values. */
export function inputsFrom(values: Record<string, string>): InputReader {
  return (name) => values[name] ?? '';
}
