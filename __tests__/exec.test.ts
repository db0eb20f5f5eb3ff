/**
 * The command runner with a real child process (`sh`): what reaches the job log and what the child
 * gets. The log is process.stdout, captured here.
 */
import { childEnvironment, runCommand } from '../src/exec';
import { actionsLogger } from '../src/log';

function captureStdout(): { text: () => string; restore: () => void } {
  let captured = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  return {
    text: () => captured,
    restore: () => {
      spy.mockRestore();
    },
  };
}

/** The lines between ::stop-commands::<token> and ::<token>::, and the lines outside. */
function blocks(log: string): { token: string; inside: string[]; outside: string[] } {
  const lines = log.split('\n');
  const start = lines.findIndex((line) => line.startsWith('::stop-commands::'));
  const token = lines[start]!.slice('::stop-commands::'.length);
  const end = lines.indexOf(`::${token}::`);
  return {
    token,
    inside: lines.slice(start + 1, end),
    outside: [...lines.slice(0, start), ...lines.slice(end + 1)],
  };
}

describe('runCommand', () => {
  it('streams stdout and stderr inside a stop-commands block, even without a final newline', async () => {
    const log = captureStdout();
    let result;
    try {
      result = await runCommand('sh', [
        '-c',
        "printf '::warning::out\\n'; printf '  ::error::err' >&2; exit 3",
      ]);
    } finally {
      log.restore();
    }
    expect(result).toEqual({ exitCode: 3, stdout: '::warning::out\n', stderr: '  ::error::err' });
    const { token, inside, outside } = blocks(log.text());
    expect(token).toMatch(/^ha-django-deploy-[0-9a-f]{32}$/);
    expect(inside).toEqual(expect.arrayContaining(['::warning::out', '  ::error::err']));
    expect(outside.join('\n')).not.toContain('::warning::out');
  });

  it('echoes the display form of the command line, not the real one', async () => {
    const log = captureStdout();
    try {
      await runCommand('sh', ['-c', 'true', 'secret-value'], { displayArgs: ['-c', 'true', '***'] });
    } finally {
      log.restore();
    }
    expect(log.text()).toContain('[command]sh -c true ***');
    expect(log.text()).not.toContain('secret-value');
  });

  it('gives the child no INPUT_* variable and no OIDC request token', async () => {
    const env = childEnvironment(
      {
        PATH: '/bin',
        'INPUT_GITHUB-TOKEN': 'ghs_x',
        INPUT_DOCKERHUB_TOKEN: 'd',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
        HOME: '/h',
      },
      { TF_VAR_x: '1' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', TF_VAR_x: '1' });
    const result = await runCommand('sh', ['-c', 'env'], {
      silent: true,
      env: { 'INPUT_GITHUB-TOKEN': 'ghs_should_not_pass_either' },
    });
    expect(result.stdout).not.toMatch(/^INPUT_/m);
  });

  it("gives the child the runner's cache service only when asked (a build that uses the cache)", async () => {
    const runner = {
      PATH: '/bin',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_RUNTIME_URL: 'https://pipelines.example/',
      ACTIONS_CACHE_URL: 'https://cache.example/',
      ACTIONS_RESULTS_URL: 'https://results.example/',
      ACTIONS_CACHE_SERVICE_V2: 'true',
    };
    expect(childEnvironment(runner)).toEqual({ PATH: '/bin' });
    expect(childEnvironment(runner, {}, true)).toEqual(runner);

    const saved = process.env.ACTIONS_RUNTIME_TOKEN;
    process.env.ACTIONS_RUNTIME_TOKEN = 'runtime-token-of-this-job';
    try {
      const printEnv = (runnerCache?: boolean) =>
        runCommand('sh', ['-c', 'env'], { silent: true, ...(runnerCache ? { runnerCache } : {}) });
      expect((await printEnv()).stdout).not.toContain('runtime-token-of-this-job');
      expect((await printEnv(true)).stdout).toContain('ACTIONS_RUNTIME_TOKEN=runtime-token-of-this-job');
    } finally {
      if (saved === undefined) delete process.env.ACTIONS_RUNTIME_TOKEN;
      else process.env.ACTIONS_RUNTIME_TOKEN = saved;
    }
  });

  it('rejects when the command cannot start, closing its block', async () => {
    const log = captureStdout();
    try {
      await expect(runCommand('no-such-command-here', [])).rejects.toThrow(/ENOENT/);
    } finally {
      log.restore();
    }
    expect(blocks(log.text()).inside).toEqual(['[command]no-such-command-here']);
  });
});

describe('the log', () => {
  it('prints a message holding a would-be workflow command inertly', () => {
    const log = captureStdout();
    try {
      actionsLogger.info('Plan text:\n  ::add-mask::x\n::warning::y');
      actionsLogger.info('plain line');
    } finally {
      log.restore();
    }
    const { inside, outside } = blocks(log.text());
    expect(inside).toEqual(['Plan text:', '  ::add-mask::x', '::warning::y']);
    expect(outside).toContain('plain line');
  });
});
