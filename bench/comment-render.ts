#!/usr/bin/env -S npx tsx
/**
 * Renders the pull-request plan comment for a generated 5,000-resource plan and prints its size
 * against GitHub's limit and the render time (median of several runs, after a warm-up), then the
 * same plan with a release review: a 16 KB base64 boot script decoded and diffed (the image line and
 * an environment line changed), a worst case of a 5,000-line template changed on every line, and
 * 2,000 sensitive values to scrub from all of it.
 *
 *     npx tsx bench/comment-render.ts [--resources N] [--runs N]
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generatePlan } from '../emulation/generatedPlan';
import {
  COMMENT_BODY_LIMIT,
  parseCommentMarker,
  renderPlanComment,
  type PlanCommentInput,
} from '../src/comment';
import type { PlanReview, TextChange } from '../src/terraform';

const { values } = parseArgs({
  options: { resources: { type: 'string', default: '5000' }, runs: { type: 'string', default: '9' } },
});
const resources = Number(values.resources);
const runs = Number(values.runs);

const { summary, planText } = generatePlan(resources);
const before = `docker.io/acme/shop@sha256:${'ab'.repeat(32)}`;
const image = `docker.io/acme/shop@sha256:${'cd'.repeat(32)}`;
const input: PlanCommentInput = {
  summary,
  planText,
  image,
  commit: 'c0ffee'.padEnd(40, '0'),
  workingDirectory: 'terraform',
  runUrl: 'https://github.com/acme/shop/actions/runs/123456789',
  secrets: ['dckr_pat_bench-token-value', 'db-password-value'],
};

/** A boot script of about 16 KB (EC2's user-data limit) around the lines a release changes. */
function bootScript(reference: string, debug: boolean): string {
  const filler = Array.from(
    { length: 300 },
    (_, i) => `echo "step ${i}: configure host settings and packages" >> /var/log/boot.log`,
  );
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    ...filler.slice(0, 150),
    `printf '%s=%s\\n' 'DEBUG' '${debug ? 'true' : 'false'}' >> "$env_file"`,
    `printf '%s=%s\\n' 'DB_PASSWORD' 'db-password-value' >> "$env_file"`,
    ...filler.slice(150),
    `docker pull '${reference}'`,
    `docker run --detach --name app '${reference}'`,
    '',
  ].join('\n');
}

function textChange(address: string, old: string, next: string): TextChange {
  return {
    address,
    attribute: 'user_data',
    encoding: 'base64',
    before: old,
    after: next,
    afterUnknown: false,
    sensitive: false,
  };
}

function review(changes: TextChange[]): PlanReview {
  return { sensitiveValues: ['db-password-value'], image: { before, after: image }, textChanges: changes };
}

const release = review([
  textChange('aws_launch_template.web', bootScript(before, false), bootScript(image, true)),
]);
const template = (letter: string) =>
  Array.from({ length: 5000 }, (_, i) => `line ${i} ${letter.repeat(40)}`).join('\n');
const worst = review([textChange('local_file.rendered', template('a'), template('b'))]);

const manySecrets: PlanReview = {
  ...release,
  sensitiveValues: [
    ...release.sensitiveValues,
    ...Array.from({ length: 2000 }, (_, i) => `s${i}-${randomBytes(9).toString('base64')}`),
  ],
};

function measure(label: string, caseInput: PlanCommentInput): boolean {
  renderPlanComment(caseInput);
  const times: number[] = [];
  let body = '';
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    body = renderPlanComment(caseInput);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  const marker = parseCommentMarker(body);
  const markerLength = body.indexOf(' -->') + 4;
  console.log(`\n[${label}]`);
  console.log(
    `comment: ${body.length} characters (limit ${COMMENT_BODY_LIMIT}), marker ${markerLength} characters, table rows shown: ${(body.match(/^\| .*`[-~+<]/gm) ?? []).length}`,
  );
  console.log(
    `marker: ${marker ? `${marker.changes.length} changes recorded, ${marker.unrecorded} left out` : 'MISSING'}`,
  );
  const diffLines = (body.match(/^[-+][^-+]/gm) ?? []).length;
  if (caseInput.review) console.log(`release diff lines shown: ${diffLines}`);
  console.log(
    `render: median ${median.toFixed(1)} ms, min ${times[0]?.toFixed(1)} ms, max ${times.at(-1)?.toFixed(1)} ms over ${runs} runs (${process.version})`,
  );
  return body.length <= COMMENT_BODY_LIMIT && marker !== undefined && !body.includes('db-password-value');
}

console.log(
  `plan: ${resources} resource changes, ${planText.split('\n').length} lines, ${planText.length} characters of text`,
);
const ok = [
  measure('plan only', input),
  measure('plan + release review (16 KB boot script, 2 lines changed)', { ...input, review: release }),
  measure('plan + worst-case template diff (5,000 lines, all changed)', { ...input, review: worst }),
  measure('plan + 2,000 sensitive values to scrub', { ...input, review: manySecrets }),
].every(Boolean);
if (!ok) process.exit(1);
