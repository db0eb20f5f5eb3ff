import { spawnSync } from 'node:child_process';
import {
  documentTimeoutSeconds,
  RUN_ONCE_PATH,
  runOnceCommands,
  shellQuote,
} from '../../src/release/command';

it('calls the run-once script with the budget, the image and the argv, each word quoted', () => {
  expect(
    runOnceCommands('registry.example/app@sha256:abc', ['python', 'manage.py', 'migrate'], 600).at(-1),
  ).toBe(`exec '${RUN_ONCE_PATH}' '600' 'registry.example/app@sha256:abc' 'python' 'manage.py' 'migrate'`);
});

it('quotes so that sh hands every word through unchanged, whatever it holds', () => {
  const words = ["it's", '$HOME', '`id`', 'a b', '"', '\\', ';exit 1'];
  const echoed = spawnSync('sh', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], {
    encoding: 'utf8',
  });
  expect(echoed.stdout).toBe(words.map((word) => `${word}\n`).join(''));
});

it("gives SSM's own limit slack beyond the script's budget, so the script stops its container first", () => {
  expect(documentTimeoutSeconds(600)).toBeGreaterThan(600);
});
