import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATED_CREDENTIALS } from './region';

export interface ActionRun {
  exitCode: number;
  /** stdout and stderr as the runner's log shows them: workflow-command escapes (%0A...) decoded. */
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

const ACTION_ENTRY = join(__dirname, '../dist/index.js');

/** Parses the runner's GITHUB_OUTPUT file format (`name<<DELIMITER` heredocs, or `name=value`). */
function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      outputs[heredoc[1]!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const [name, ...rest] = lines[i]!.split('=');
      outputs[name!] = rest.join('=');
    }
  }
  return outputs;
}

/** The runner shows `::error::a%0Ab` as two lines; tests read the log the way a person does. */
function decodeCommandEscapes(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * Runs the committed bundle, `node dist/index.js`, the way the runner does: inputs as INPUT_*
 * variables, outputs and the job summary through the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  options: { node?: string; echo?: boolean } = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
  );
  try {
    const child = spawn(options.node ?? process.execPath, [ACTION_ENTRY], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        ...inputEnv,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const collect = (chunk: Buffer): void => {
      stdout += chunk.toString();
      if (options.echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exitCode = await new Promise<number>((resolve) =>
      child.on('close', (code) => {
        resolve(code ?? -1);
      }),
    );
    return {
      exitCode,
      stdout: decodeCommandEscapes(stdout),
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints a run's exit code, outputs and job summary, as the demo and the rehearsal report it. */
export function printRun(title: string, run: ActionRun): void {
  console.log(`\n== ${title}: exit ${run.exitCode} ==`);
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}=${value}`);
  console.log('\n== job summary ==');
  console.log(run.summary);
}
