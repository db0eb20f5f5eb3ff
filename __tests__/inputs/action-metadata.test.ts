import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, ConfigError, parseConfig } from '../../src/inputs';
import { readActionMetadata, readmeWithTables } from '../../scripts/lib/actionDocs';

const metadata = readActionMetadata();

function inputsReadBy(command: string): Set<string> {
  const names = new Set<string>();
  try {
    parseConfig((name) => {
      names.add(name);
      return name === 'command' ? command : '';
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  return names;
}

describe('action.yml', () => {
  it('runs on node24 from the committed bundle', () => {
    const action = readFileSync(join(__dirname, '../../action.yml'), 'utf8');
    expect(action).toMatch(/runs:\n {2}using: node24\n {2}main: dist\/index\.js/);
  });

  it('declares exactly the inputs the config reads', () => {
    const read = new Set(COMMANDS.flatMap((command) => [...inputsReadBy(command)]));
    expect([...read].sort()).toEqual(Object.keys(metadata.inputs).sort());
  });

  it('matches the README tables', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toBe(readmeWithTables(readme));
  });
});
