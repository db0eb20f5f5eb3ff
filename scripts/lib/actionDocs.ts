import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cell, tableSection, withGeneratedSection } from './markdownTables';

interface ActionInput {
  description: string;
  required?: boolean;
  // YAML may read an unquoted default as a number or boolean.
  default?: string | number | boolean;
}

interface ActionMetadata {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description: string }>;
}

const ROOT = join(__dirname, '../..');

export function readActionMetadata(): ActionMetadata {
  return parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata;
}

/** The README's inputs and outputs tables, generated from action.yml so the two never drift. */
export function renderActionTables(metadata: ActionMetadata = readActionMetadata()): string {
  const inputs = Object.entries(metadata.inputs).map(([name, input]) => [
    `\`${name}\``,
    input.required ? 'yes' : 'no',
    input.default === undefined ? '' : `\`${cell(String(input.default))}\``,
    cell(input.description),
  ]);
  const outputs = Object.entries(metadata.outputs).map(([name, output]) => [
    `\`${name}\``,
    cell(output.description),
  ]);
  return [
    ...tableSection('Inputs', ['name', 'required', 'default', 'description'], inputs),
    '',
    ...tableSection('Outputs', ['name', 'description'], outputs),
  ].join('\n');
}

export const TABLES_START = '<!-- action-tables:start (generated from action.yml by `npm run docs`) -->';
export const TABLES_END = '<!-- action-tables:end -->';

/** The README with its generated section replaced by what action.yml says now. */
export function readmeWithTables(readme: string, tables: string = renderActionTables()): string {
  return withGeneratedSection(readme, { start: TABLES_START, end: TABLES_END }, tables, 'README.md');
}
