import { actionsLogger, createInertWriter } from '../src/log';
import { couldCommandTheRunner } from '../src/text';
import { commandLines, hostileLines, obeyedCommandsFrom } from './support/runnerCommands';

/** What the logger writes to stdout, with workflow-command escapes decoded as the log shows them. */
function captured(print: () => void): string {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    print();
  } finally {
    spy.mockRestore();
  }
  return out.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** The commands the runner would obey, by name: the action's own, never one from the message. */
function obeyedCommandNames(log: string): string[] {
  return commandLines(log)
    .filter((line) => line.obeyed)
    .map((line) => /^::([^:]*)::/.exec(line.line)?.[1] ?? line.line)
    .map((name) => name.replace(/^ha-django-deploy-[0-9a-f]{32}$/, 'resume'));
}

describe('actionsLogger', () => {
  it.each(hostileLines('pwned'))('prints %j inertly, from info, warning and error alike', (line) => {
    for (const message of [line, `AWS says: ${line}`, `${line}\nand a second line`]) {
      const log = captured(() => {
        actionsLogger.info(message);
        actionsLogger.warning(message);
        actionsLogger.error(message);
      });
      const names = obeyedCommandNames(log);
      expect(names.filter((name) => name !== 'stop-commands' && name !== 'resume')).toEqual([
        'warning',
        'error',
      ]);
      expect(names.filter((name) => name === 'stop-commands')).toEqual(
        names.filter((name) => name === 'resume').map(() => 'stop-commands'),
      );
      expect(log).not.toContain('##[');
    }
  });

  it('prints the action’s own messages as they are, without a stop-commands block', () => {
    const log = captured(() => {
      actionsLogger.info('refresh abc InProgress: 50% complete (arn:aws:iam::123456789012:role/x)');
    });
    expect(log).toBe('refresh abc InProgress: 50% complete (arn:aws:iam::123456789012:role/x)\n');
  });

  it('keeps the text of a hostile message readable inside the block', () => {
    const log = captured(() => {
      actionsLogger.info('target i-1:\n::warning::pwned');
    });
    const lines = commandLines(log);
    expect(lines.map((line) => line.obeyed)).toEqual([true, false, true]);
    expect(lines[0]!.line).toMatch(/^::stop-commands::ha-django-deploy-[0-9a-f]{32}$/);
    expect(log).toContain('target i-1:\n::warning::pwned\n');
  });
});

describe('createInertWriter', () => {
  it('makes ##[ plain even when a chunk ends inside it', () => {
    let out = '';
    const writer = createInertWriter((text) => (out += text));
    for (const chunk of ['step 1 #', '#[add-mask]pwned\nstep 2 ##', '[group]pwned #', '#'])
      writer.write(chunk);
    writer.end();
    expect(out).not.toContain('##[');
    expect(out).toContain('step 1 ##\\[add-mask]pwned\nstep 2 ##\\[group]pwned ##\n');
    expect(obeyedCommandsFrom(out, 'pwned')).toEqual([]);
  });
});

describe('couldCommandTheRunner', () => {
  it.each(hostileLines('x'))('finds the command in %j', (line) => {
    expect(couldCommandTheRunner(`prefix ${line}`) || couldCommandTheRunner(line)).toBe(true);
  });

  it.each(['arn:aws:iam::123456789012:role/deploy', 'a::b', 'C# ## [x]', 'ipv6 [::1]:80'])(
    'lets the ordinary %j through',
    (text) => {
      expect(couldCommandTheRunner(text)).toBe(false);
    },
  );
});
