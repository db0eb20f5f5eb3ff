import type { Logger } from '../../src/log';
import type { Reporter } from '../../src/report';

/** A Logger and Reporter that keep everything for assertions. */
export function createRecorder() {
  const lines: string[] = [];
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  const failures: string[] = [];
  const log: Logger = {
    info: (message) => lines.push(message),
    warning: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    group: async (title, body) => {
      lines.push(`>> ${title}`);
      return body();
    },
  };
  const reporter: Reporter = {
    setOutput: (name, value) => {
      outputs[name] = String(value);
    },
    setFailed: (message) => failures.push(message),
    writeSummary: (markdown) => {
      summaries.push(markdown);
      return Promise.resolve();
    },
  };
  return { log, reporter, lines, outputs, summaries, failures, text: () => lines.join('\n') };
}
