/** Regenerates the README's inputs and outputs tables from action.yml. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeWithTables } from './lib/actionDocs';

const readmePath = join(__dirname, '../README.md');
writeFileSync(readmePath, readmeWithTables(readFileSync(readmePath, 'utf8')));
