/** Regenerates the README's inputs and outputs tables from action.yml, and the module README's from its .tf files. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeWithTables } from './lib/actionDocs';
import {
  MODULE_DIR,
  moduleReadmeWithTables,
  readTerraformConfig,
  renderModuleTables,
} from './lib/terraformDocs';

async function main(): Promise<void> {
  const readmePath = join(__dirname, '../README.md');
  writeFileSync(readmePath, readmeWithTables(readFileSync(readmePath, 'utf8')));

  const moduleReadmePath = join(MODULE_DIR, 'README.md');
  const tables = renderModuleTables(await readTerraformConfig(MODULE_DIR));
  writeFileSync(moduleReadmePath, moduleReadmeWithTables(readFileSync(moduleReadmePath, 'utf8'), tables));
}

void main();
