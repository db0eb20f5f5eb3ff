import { createRunOutput, OUTPUT_LIMITS } from '../../src/release/output';

it('prints each complete line once, as it arrives, from stdout and stderr', () => {
  const output = createRunOutput([]);
  expect(output.take('Operations to perform:\n  Apply all migr', '')).toEqual([
    '  out | Operations to perform:',
  ]);
  expect(output.take('Operations to perform:\n  Apply all migrations: web\n', 'warn\n')).toEqual([
    '  out |   Apply all migrations: web',
    '  err | warn',
  ]);
  expect(output.take('Operations to perform:\n  Apply all migrations: web\n', 'warn\n')).toEqual([]);
  expect(output.finish('Operations to perform:\n  Apply all migrations: web\nOK', 'warn\n')).toEqual([
    '  out | OK',
  ]);
});

it('masks secrets and credential-shaped text, and no line can start a workflow command', () => {
  const output = createRunOutput(['hunter2-password']);
  const lines = output.take(
    '::add-mask::x\nconnecting with hunter2-password\nDATABASE_URL=postgres://u:pw@db/app\n',
    '',
  );
  expect(lines[0]).toBe('  out | ::add-mask::x');
  expect(lines.join('\n')).not.toContain('hunter2-password');
  expect(lines.join('\n')).not.toContain(':pw@');
  expect(lines.every((line) => !/^\s*::/.test(line))).toBe(true);
});

it('prints at most the line budget, says how many it held back, and keeps the last lines for the failure', () => {
  const output = createRunOutput([]);
  const text = Array.from({ length: OUTPUT_LIMITS.printedLines + 50 }, (_, index) => `line ${index}`).join(
    '\n',
  );
  const printed = [...output.take(`${text}\n`, ''), ...output.finish(`${text}\n`, '')];
  expect(printed).toHaveLength(OUTPUT_LIMITS.printedLines + 1);
  expect(printed.at(-1)).toBe('  (50 more lines not shown; the last ones follow any failure)');
  expect(output.tail()).toHaveLength(OUTPUT_LIMITS.tailLines);
  expect(output.tail().at(-1)).toBe(`line ${OUTPUT_LIMITS.printedLines + 49}`);
});
