/** The linter parser against real `manage.py lintmigrations --unapplied-migrations` outputs of django-migration-linter 6.0.0 (linter-output/). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeIncompatible, parseLinterOutput, unappliedMigrations } from '../../src/release/linter';

const output = (name: string) => readFileSync(join(__dirname, 'linter-output', `${name}.txt`), 'utf8');

it('names each incompatible migration with the rules it breaks, and only those', () => {
  const linted = parseLinterOutput(output('incompatible'));
  expect(linted).toEqual([
    { name: 'shop.0001_initial', result: 'ignored', issues: [] },
    {
      name: 'shop.0002_bad',
      result: 'incompatible',
      issues: [
        'RENAMING columns (table: shop_item, column: name)',
        'DROPPING columns (table: shop_item, column: price)',
        'NOT NULL constraint on columns',
      ],
    },
    { name: 'shop.0003_ok', result: 'ok', issues: [] },
  ]);
  expect(describeIncompatible(linted)).toEqual([
    'shop.0002_bad (RENAMING columns (table: shop_item, column: name); DROPPING columns (table: shop_item, column: price); NOT NULL constraint on columns)',
  ]);
  expect(unappliedMigrations(linted).map((migration) => migration.name)).toEqual([
    'shop.0002_bad',
    'shop.0003_ok',
  ]);
});

it('reads cached results and keeps a warning apart from an incompatibility', () => {
  const linted = parseLinterOutput(output('incompatible-and-warning'));
  expect(linted.map(({ name, result }) => `${name} ${result}`)).toEqual([
    'shop.0001_initial ignored',
    'shop.0002_bad incompatible',
    'shop.0003_ok ok',
    'shop.0004_data warning',
  ]);
  expect(linted[3]?.issues).toEqual(["'forward': RunPython data migration is not reversible"]);
  expect(describeIncompatible(linted)).toHaveLength(1);
});

it('finds nothing incompatible in a release with warnings only, or with nothing to apply', () => {
  expect(describeIncompatible(parseLinterOutput(output('warning-only')))).toEqual([]);
  expect(describeIncompatible(parseLinterOutput(output('compatible')))).toEqual([]);
  expect(unappliedMigrations(parseLinterOutput(output('nothing-unapplied')))).toEqual([]);
});

it('skips what is not its report: Windows line ends, other lines, an output cut short', () => {
  const cut = output('incompatible').replace(/\n/g, '\r\n').slice(0, 90);
  const linted = parseLinterOutput(`System check identified some issues:\n\tWARNINGS: something\n${cut}`);
  expect(linted.map((migration) => migration.name)).toEqual(['shop.0001_initial', 'shop.0002_bad']);
  expect(linted[1]?.result).toBe('incompatible');
});
