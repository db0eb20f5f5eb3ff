/**
 * Regenerates the failure-reason output's description in action.yml and the README's failure table
 * from src/failures/, the README's inputs and outputs tables from action.yml, and the module
 * README's from its .tf files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeWithTables } from './lib/actionDocs';
import { actionWithFailureReasons, readmeWithFailureTable } from './lib/failureDocs';
import {
  MODULE_DIR,
  moduleReadmeWithTables,
  readTerraformConfig,
  renderModuleTables,
} from './lib/terraformDocs';

async function main(): Promise<void> {
  // action.yml first: the README's outputs table is generated from it.
  const actionPath = join(__dirname, '../action.yml');
  writeFileSync(actionPath, actionWithFailureReasons(readFileSync(actionPath, 'utf8')));
  const readmePath = join(__dirname, '../README.md');
  writeFileSync(readmePath, readmeWithFailureTable(readmeWithTables(readFileSync(readmePath, 'utf8'))));

  const moduleReadmePath = join(MODULE_DIR, 'README.md');
  const tables = renderModuleTables(await readTerraformConfig(MODULE_DIR));
  writeFileSync(moduleReadmePath, moduleReadmeWithTables(readFileSync(moduleReadmePath, 'utf8'), tables));
}

void main();
