import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cell, tableSection, withGeneratedSection } from './markdownTables';

type Block = Record<string, unknown>;

export interface TerraformVariable {
  description?: string;
  type?: string;
  default?: unknown;
  nullable?: boolean;
}

export interface TerraformConfig {
  variables: Record<string, TerraformVariable>;
  outputs: Record<string, { description?: string; value?: string }>;
  modules: Record<string, Block>;
  providers: string[];
  /** terraform { ... } blocks: required_version, required_providers, backend. */
  settings: Block[];
}

const ROOT = join(__dirname, '../..');
export const MODULE_DIR = join(ROOT, 'terraform/modules/web-tier');
export const BUNDLED_ROOT_DIR = join(ROOT, 'terraform');

function firstOfEach<T>(byName: Record<string, T[]> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(byName ?? {}).map(([name, blocks]) => [name, blocks[0] as T]));
}

/** Every .tf file of one directory (not its subdirectories), read with the real HCL parser. */
export async function readTerraformConfig(dir: string): Promise<TerraformConfig> {
  const config: TerraformConfig = { variables: {}, outputs: {}, modules: {}, providers: [], settings: [] };
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.tf'))
    .sort()) {
    const parsed = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as {
      variable?: Record<string, TerraformVariable[]>;
      output?: Record<string, { description?: string; value?: string }[]>;
      module?: Record<string, Block[]>;
      provider?: Record<string, Block[]>;
      terraform?: Block[];
    };
    Object.assign(config.variables, firstOfEach(parsed.variable));
    Object.assign(config.outputs, firstOfEach(parsed.output));
    Object.assign(config.modules, firstOfEach(parsed.module));
    config.providers.push(...Object.keys(parsed.provider ?? {}));
    config.settings.push(...(parsed.terraform ?? []));
  }
  return config;
}

/** `${map(string)}` -> `map(string)`: hcl2json wraps expressions in interpolation syntax. */
export function expression(text: string | undefined): string {
  return (text ?? 'any').replace(/^\$\{([\s\S]*)\}$/, '$1');
}

function defaultCell(variable: TerraformVariable): string {
  if (!('default' in variable)) return '';
  return `\`${cell(JSON.stringify(variable.default))}\``;
}

/** The module README's variables and outputs tables, generated from its .tf files. */
export function renderModuleTables(config: TerraformConfig): string {
  const variables = Object.entries(config.variables).map(([name, variable]) => [
    `\`${name}\``,
    `\`${cell(expression(variable.type))}\``,
    'default' in variable ? 'no' : 'yes',
    defaultCell(variable),
    cell(variable.description ?? ''),
  ]);
  const outputs = Object.entries(config.outputs).map(([name, output]) => [
    `\`${name}\``,
    cell(output.description ?? ''),
  ]);
  return [
    ...tableSection('Variables', ['name', 'type', 'required', 'default', 'description'], variables),
    '',
    ...tableSection('Outputs', ['name', 'description'], outputs),
  ].join('\n');
}

export const MODULE_TABLES_START =
  '<!-- module-tables:start (generated from the .tf files by `npm run docs`) -->';
export const MODULE_TABLES_END = '<!-- module-tables:end -->';

/** The module README with its generated section replaced by what the .tf files say now. */
export function moduleReadmeWithTables(readme: string, tables: string): string {
  return withGeneratedSection(
    readme,
    { start: MODULE_TABLES_START, end: MODULE_TABLES_END },
    tables,
    'the module README',
  );
}
