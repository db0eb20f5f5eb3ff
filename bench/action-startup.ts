/**
 * Cold start of the bundle and its size: how long `node dist/index.js` takes to load and reach
 * the first decision (input validation, which fails here on purpose so no AWS call is made), and
 * how many bytes the runner downloads with the action.
 *
 *   npx tsx bench/action-startup.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';

const bundle = join(__dirname, '../dist/index.js');
const runs = Number(process.argv[2] ?? 20);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const timings: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bundle], {
    env: { PATH: process.env.PATH, 'INPUT_ASG-NAME': '' },
    encoding: 'utf8',
  });
  timings.push(performance.now() - started);
  if (!result.stdout.includes('invalid input')) throw new Error(`unexpected output: ${result.stdout}`);
}
timings.sort((a, b) => a - b);
const size = statSync(bundle).size;
const gzipped = gzipSync(readFileSync(bundle)).length;
console.log(`node ${process.version}, ${runs} runs of node dist/index.js (to the input check)`);
console.log(
  `cold start: median ${percentile(timings, 50).toFixed(0)} ms, p95 ${percentile(timings, 95).toFixed(0)} ms`,
);
console.log(`bundle: ${(size / 1024).toFixed(0)} KiB (${(gzipped / 1024).toFixed(0)} KiB gzipped)`);
