/** The failure report: every failure says what to do next, from the error or else the catalogue. */
import { escapeText } from '../../src/markdown';
import { DeployError } from '../../src/errors';
import { FAILURES } from '../../src/failures';
import { run } from '../../src/main';
import { failureMessage, failureSummary } from '../../src/report';
import { inputsFrom } from '../support/inputs';
import { createRecorder } from '../support/recorder';

describe('failureMessage and failureSummary', () => {
  it("give the error's own next step when it names one", () => {
    expect(failureMessage('timeout', 'Too slow.', 'Raise it.')).toBe('Too slow.\nWhat to do: Raise it.');
    expect(failureSummary('timeout', 'Too slow.', 'Raise it.')).toContain(
      `| What to do | ${escapeText('Raise it.')} |`,
    );
  });

  it("give the catalogue's next step when the error names none", () => {
    const { whatToDo } = FAILURES['unexpected-error'];
    expect(failureMessage('unexpected-error', 'TypeError: x', undefined)).toBe(
      `TypeError: x\nWhat to do: ${whatToDo}`,
    );
    expect(failureSummary('unexpected-error', 'TypeError: x', '')).toContain(
      `| What to do | ${escapeText(whatToDo)} |`,
    );
  });
});

async function failedRun(error: Error): Promise<ReturnType<typeof createRecorder>> {
  const recorder = createRecorder();
  await run({
    readInput: inputsFrom({ command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web' }),
    env: {},
    log: recorder.log,
    reporter: recorder.reporter,
    createClients: () => Promise.reject(error),
  });
  return recorder;
}

describe('a failed run', () => {
  it('tells what to do about invalid inputs, after naming them', async () => {
    const recorder = createRecorder();
    await run({
      readInput: inputsFrom({ command: 'rollout', 'asg-name': 'web' }),
      env: {},
      log: recorder.log,
      reporter: recorder.reporter,
    });
    expect(recorder.outputs['failure-reason']).toBe('invalid-input');
    expect(recorder.failures[0]).toContain('aws-region: missing');
    expect(recorder.failures[0]).toContain(`\nWhat to do: ${FAILURES['invalid-input'].whatToDo}`);
    expect(recorder.summaries.join('\n')).toContain(
      `| What to do | ${escapeText(FAILURES['invalid-input'].whatToDo)} |`,
    );
  });

  it('tells what to do about an error the action has no explanation for', async () => {
    const recorder = await failedRun(new TypeError('boom'));
    expect(recorder.outputs['failure-reason']).toBe('unexpected-error');
    expect(recorder.failures[0]).toBe(
      `TypeError: boom\nWhat to do: ${FAILURES['unexpected-error'].whatToDo}`,
    );
  });

  it("keeps a DeployError's own next step", async () => {
    const recorder = await failedRun(new DeployError('asg-not-found', 'No group web.', 'Check asg-name.'));
    expect(recorder.outputs['failure-reason']).toBe('asg-not-found');
    expect(recorder.failures[0]).toBe('No group web.\nWhat to do: Check asg-name.');
  });
});
