#!/usr/bin/env -S npx tsx
/**
 * Renders the pull-request plan comment for a generated 5,000-resource plan and prints its size
 * against GitHub's limit and the render time (median of several runs, after a warm-up).
 *
 *     npx tsx bench/comment-render.ts [--resources N] [--runs N]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generatePlan } from '../__tests__/comment/generatedPlan';
import { COMMENT_BODY_LIMIT, parseCommentMarker, renderPlanComment } from '../src/comment';

const { values } = parseArgs({
  options: { resources: { type: 'string', default: '5000' }, runs: { type: 'string', default: '9' } },
});
const resources = Number(values.resources);
const runs = Number(values.runs);

const { summary, planText } = generatePlan(resources);
const input = {
  summary,
  planText,
  image: `docker.io/acme/shop@sha256:${'ab'.repeat(32)}`,
  commit: 'c0ffee'.padEnd(40, '0'),
  workingDirectory: 'terraform',
  runUrl: 'https://github.com/acme/shop/actions/runs/123456789',
  secrets: ['dckr_pat_bench-token-value', 'db-password-value'],
};

renderPlanComment(input);
const times: number[] = [];
let body = '';
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  body = renderPlanComment(input);
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
const marker = parseCommentMarker(body);

console.log(
  `plan: ${resources} resource changes, ${planText.split('\n').length} lines, ${planText.length} characters of text`,
);
console.log(
  `comment: ${body.length} characters (limit ${COMMENT_BODY_LIMIT}), table rows shown: ${(body.match(/^\| .*`[-~+<]/gm) ?? []).length}`,
);
console.log(
  `marker: ${marker ? `${marker.changes.length} changes recorded, ${marker.unrecorded} left out` : 'MISSING'}`,
);
console.log(
  `render: median ${median.toFixed(1)} ms, min ${times[0]?.toFixed(1)} ms, max ${times.at(-1)?.toFixed(1)} ms over ${runs} runs (${process.version})`,
);
if (body.length > COMMENT_BODY_LIMIT || !marker) process.exit(1);
