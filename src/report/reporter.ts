/** The report stage's thin adapter: results to the runner's outputs, failure and job summary. */
import * as core from '@actions/core';
import { annotationText, type Logger } from '../log';

/** Where results go: action outputs and the job summary on a runner, a recorder in tests. */
export interface Reporter {
  setOutput(name: string, value: string | number): void;
  /** Marks the step failed with the message a person reads first. */
  setFailed(message: string): void;
  /** Markdown for the job summary (the log gets it too when there is no summary file). */
  writeSummary(markdown: string): Promise<void>;
}

export function createActionsReporter(log: Logger, env: NodeJS.ProcessEnv): Reporter {
  return {
    setOutput: (name, value) => {
      core.setOutput(name, value);
    },
    setFailed: (message) => {
      // The message may quote an AWS reason or an answer's text.
      core.setFailed(annotationText(message));
    },
    writeSummary: async (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) {
        await core.summary.addRaw(markdown, true).write();
      } else {
        await log.group('Job summary (GITHUB_STEP_SUMMARY is not set, so here)', () => {
          log.info(markdown);
          return Promise.resolve();
        });
      }
    },
  };
}
