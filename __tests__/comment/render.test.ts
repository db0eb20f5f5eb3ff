import {
  COMMENT_BODY_LIMIT,
  OUTCOME_ROOM,
  parseCommentMarker,
  renderPlanComment,
  type PlanCommentInput,
} from '../../src/comment';
import { DeployError } from '../../src/errors';
import type { PlanSummary, ResourceChange } from '../../src/terraform/types';
import { generatePlan } from '../../emulation/generatedPlan';
import { planSummaryOf } from '../../emulation/planSummary';

const IMAGE = `docker.io/acme/shop@sha256:${'4f'.repeat(32)}`;
const COMMIT = '9b2e4c1d0a7f6e5d4c3b2a190817263544536271';
const RUN_URL = 'https://github.com/acme/shop/actions/runs/4242';
const TOKEN = 'dckr_pat_Zx81-secretTOKENvalue';

function summaryOf(
  resourceChanges: ResourceChange[],
  outputChanges: PlanSummary['outputChanges'] = [],
): PlanSummary {
  return planSummaryOf(resourceChanges, outputChanges);
}

function input(overrides: Partial<PlanCommentInput> = {}): PlanCommentInput {
  return {
    summary: summaryOf([]),
    planText: 'No changes. Your infrastructure matches the configuration.',
    image: IMAGE,
    commit: COMMIT,
    workingDirectory: 'terraform',
    runUrl: RUN_URL,
    secrets: [TOKEN],
    ...overrides,
  };
}

/** The table row (a line starting with a pipe) that mentions `address`. */
function rowFor(body: string, address: string): string | undefined {
  return body.split('\n').find((line) => line.startsWith('|') && line.includes(address));
}

/** Cells of a table row, split on the pipes GitHub splits on (unescaped ones). */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

describe('renderPlanComment', () => {
  const mixed = summaryOf(
    [
      { address: 'aws_autoscaling_group.web', type: 'aws_autoscaling_group', action: 'update' },
      { address: 'aws_launch_template.web', type: 'aws_launch_template', action: 'update' },
      {
        address: 'aws_lb_target_group.web',
        type: 'aws_lb_target_group',
        action: 'replace',
        reason: 'replace_because_cannot_update',
      },
      { address: 'aws_security_group.old', type: 'aws_security_group', action: 'delete' },
      { address: 'aws_cloudwatch_metric_alarm.cpu', type: 'aws_cloudwatch_metric_alarm', action: 'create' },
    ],
    [
      { name: 'app_url', action: 'update', sensitive: false },
      { name: 'admin_password', action: 'create', sensitive: true },
    ],
  );

  it('opens with the marker, then a summary line with every count and a warning for destruction', () => {
    const body = renderPlanComment(input({ summary: mixed, planText: 'plan text' }));
    const lines = body.split('\n');
    expect(lines[0]).toMatch(/^<!-- ha-django-deploy:plan \{.*\} -->$/);
    expect(lines[1]).toBe('### Terraform plan for `terraform`');
    const summary = lines.find((line) => line.includes('**Plan:'));
    expect(summary).toContain(
      '1 to add, 2 to change, 1 to destroy, 1 to replace (1 `-/+` destroy before create); 2 output changes.',
    );
    expect(summary).toMatch(/^:warning: /);
  });

  it('shows no warning when nothing is destroyed or replaced, and says so when nothing changes', () => {
    const safe = renderPlanComment(
      input({ summary: summaryOf([{ address: 'aws_instance.a', type: 'aws_instance', action: 'update' }]) }),
    );
    expect(safe).toContain('**Plan: 0 to add, 1 to change, 0 to destroy, 0 to replace.**');
    expect(safe).not.toContain(':warning:');

    const none = renderPlanComment(input());
    expect(none).toContain('**No changes.**');
    expect(none).not.toContain('#### Resource changes');
  });

  it('lists each resource with its action, marking replace and destroy apart from an update', () => {
    const body = renderPlanComment(input({ summary: mixed }));
    expect(body).toContain('#### Resource changes (5)');
    const update = cells(rowFor(body, 'aws_launch_template.web')!);
    const replace = cells(rowFor(body, 'aws_lb_target_group.web')!);
    const destroy = cells(rowFor(body, 'aws_security_group.old')!);
    const create = cells(rowFor(body, 'aws_cloudwatch_metric_alarm.cpu')!);
    expect(update).toEqual(['`~` update in place', '`aws_launch_template.web`', '']);
    expect(replace).toEqual([
      ':warning: `-/+` replace, destroy first',
      '`aws_lb_target_group.web`',
      'a changed argument cannot be updated in place',
    ]);
    expect(destroy[0]).toBe(':warning: `-` destroy');
    expect(create[0]).toBe('`+` create');
    // Rows keep the summary's address order.
    const order = ['aws_autoscaling_group.web', 'aws_launch_template.web', 'aws_lb_target_group.web'];
    expect(order.map((address) => body.indexOf(rowFor(body, address)!))).toEqual(
      [...order.map((address) => body.indexOf(rowFor(body, address)!))].sort((a, b) => a - b),
    );
  });

  it('lists output changes, flagging sensitive ones without any value', () => {
    const body = renderPlanComment(input({ summary: mixed }));
    expect(cells(rowFor(body, 'admin_password')!)).toEqual([
      '`+` create',
      '`admin_password` (sensitive, value hidden)',
    ]);
    expect(cells(rowFor(body, 'app_url')!)).toEqual(['`~` update in place', '`app_url`']);
  });

  it('names the image and the commit, and links the run log', () => {
    const body = renderPlanComment(input({ summary: mixed }));
    expect(body).toContain(`- Image: \`${IMAGE}\``);
    expect(body).toContain(`- Planned at commit ${COMMIT}`);
    expect(body).toContain(`[run log](${RUN_URL})`);
  });

  it('puts the whole plan text in a collapsed block with blank lines so GitHub renders the fence', () => {
    const planText = 'Terraform will perform the following actions:\n\n  # aws_instance.a will be created\n';
    const body = renderPlanComment(input({ summary: mixed, planText }));
    expect(body).toContain(
      [
        '<details><summary>Full plan text (3 lines)</summary>',
        '',
        '```text',
        'Terraform will perform the following actions:',
        '',
        '  # aws_instance.a will be created',
        '```',
        '',
        '</details>',
      ].join('\n'),
    );
  });

  it('records tool, directory, commit, fingerprint, format version and the changes in the marker', () => {
    const marker = parseCommentMarker(renderPlanComment(input({ summary: mixed })));
    expect(marker).toEqual({
      tool: 'ha-django-deploy',
      version: 1,
      workingDirectory: 'terraform',
      commit: COMMIT,
      fingerprint: mixed.fingerprint,
      image: IMAGE,
      counts: { add: 1, change: 2, destroy: 1, replace: 1 },
      changes: [
        '~ aws_autoscaling_group.web',
        '+ aws_cloudwatch_metric_alarm.cpu',
        '~ aws_launch_template.web',
        '-/+ aws_lb_target_group.web',
        '- aws_security_group.old',
      ],
      unrecorded: 0,
      // The summary binds no change of its own (planSummaryOf): nothing to record by value.
      values: [],
      unrecordedValues: 0,
    });
  });

  describe('escaping', () => {
    it('chooses a fence longer than any backtick run, so the plan text cannot close the block', () => {
      const planText = ['before', '```', '</details>', '`````', '<img src=x onerror=alert(1)>', 'after'].join(
        '\n',
      );
      const body = renderPlanComment(input({ summary: mixed, planText }));
      const lines = body.split('\n');
      const open = lines.indexOf('``````text');
      expect(open).toBeGreaterThan(0);
      const close = lines.indexOf('``````', open + 1);
      expect(lines.slice(open + 1, close)).toEqual(planText.split('\n'));
      expect(lines[close + 2]).toBe('</details>');
    });

    it('keeps hostile addresses inside one table cell and one code span', () => {
      const address = 'aws_s3_bucket.b["a|b`c<script>x</script> **bold** [link](http://evil)"]';
      const body = renderPlanComment(
        input({ summary: summaryOf([{ address, type: 'aws_s3_bucket', action: 'create' }]) }),
      );
      const row = cells(rowFor(body, 'aws_s3_bucket.b')!);
      expect(row).toHaveLength(2);
      expect(row[1]).toBe('``aws_s3_bucket.b["a\\|b`c<script>x</script> **bold** [link](http://evil)"]``');
    });

    it('escapes an unknown replace reason as plain text', () => {
      const body = renderPlanComment(
        input({
          summary: summaryOf([
            { address: 'aws_lb.x', type: 'aws_lb', action: 'replace', reason: 'new_<b>reason</b>|x' },
          ]),
        }),
      );
      expect(cells(rowFor(body, 'aws_lb.x')!)[2]).toBe('new\\_&lt;b&gt;reason&lt;/b&gt;&#124;x');
    });

    it('keeps an address holding "-->" from ending the hidden marker early', () => {
      const address = 'null_resource.x["a --> visible? <!--"]';
      const body = renderPlanComment(
        input({ summary: summaryOf([{ address, type: 'null_resource', action: 'create' }]) }),
      );
      const markerLine = body.split('\n')[0]!;
      expect(markerLine.indexOf('-->')).toBe(markerLine.length - 3);
      expect(parseCommentMarker(body)?.changes).toEqual([`+ ${address}`]);
    });

    it('does not link a run URL that is not http(s), and encodes parentheses in one that is', () => {
      expect(renderPlanComment(input({ runUrl: 'javascript:alert(1)' }))).not.toContain('javascript:');
      expect(renderPlanComment(input({ runUrl: 'https://github.com/a/b/actions/runs/1?x=(y)' }))).toContain(
        '[run log](https://github.com/a/b/actions/runs/1?x=%28y%29)',
      );
    });
  });

  describe('secrets', () => {
    it('masks a token wherever it appears: plan text, image, addresses, outputs, directory', () => {
      const body = renderPlanComment(
        input({
          summary: summaryOf(
            [{ address: `null_resource.x["${TOKEN}"]`, type: 'null_resource', action: 'create' }],
            [{ name: `out_${TOKEN}`, action: 'create', sensitive: false }],
          ),
          planText: `  + triggers = { "token" = "${TOKEN}" }`,
          image: `registry.example/${TOKEN}@sha256:${'0'.repeat(64)}`,
          workingDirectory: `infra-${TOKEN}`,
        }),
      );
      expect(body).not.toContain(TOKEN);
      expect(body).not.toContain('secretTOKEN');
      expect(body).toContain('null_resource.x["***"]');
      expect(body).toContain('"token" = "***"');
      // The masked image is no longer a pinned image, so this marker would never be trusted.
      expect(parseCommentMarker(body)).toBeUndefined();
    });

    it('shows a change whose only content is sensitive as Terraform masked it, with no value', () => {
      const password = 'hunter2-correct-horse';
      const planText = [
        'Terraform will perform the following actions:',
        '',
        '  # terraform_data.db will be updated in-place',
        '  ~ resource "terraform_data" "db" {',
        '      ~ input  = (sensitive value)',
        '        id     = "5c0b6d5e-0000-4000-8000-000000000000"',
        '    }',
        '',
        'Changes to Outputs:',
        '  ~ db_password = (sensitive value)',
      ].join('\n');
      const body = renderPlanComment(
        input({
          summary: summaryOf(
            [{ address: 'terraform_data.db', type: 'terraform_data', action: 'update' }],
            [{ name: 'db_password', action: 'update', sensitive: true }],
          ),
          planText,
          secrets: [TOKEN, password],
        }),
      );
      expect(body).toContain('      ~ input  = (sensitive value)');
      expect(body).toContain('`db_password` (sensitive, value hidden)');
      expect(body).not.toContain(password);
    });

    it('masks a secret before escaping, so an escaped form cannot slip through', () => {
      const secret = 'pa|ss<wo`rd>';
      const body = renderPlanComment(
        input({
          summary: summaryOf([{ address: `x.y["${secret}"]`, type: 'x', action: 'create' }]),
          planText: `value = "${secret}"`,
          secrets: [secret],
        }),
      );
      expect(body).not.toContain('ss<wo');
      expect(body).not.toContain('ss&lt;wo');
      expect(body).not.toContain('pa\\|ss');
    });
  });

  describe('size limit', () => {
    it('fits a 5,000-resource plan in the limit, keeping summary, image, commit and marker', () => {
      const { summary, planText } = generatePlan(5000);
      const body = renderPlanComment(input({ summary, planText }));
      expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT);
      expect(body).toContain(
        `**Plan: ${summary.add.toLocaleString('en-US')} to add, ${summary.change.toLocaleString('en-US')} to change,`,
      );
      expect(body).toContain(`- Image: \`${IMAGE}\``);
      expect(body).toContain(`- Planned at commit ${COMMIT}`);
      const marker = parseCommentMarker(body);
      expect(marker?.fingerprint).toBe(summary.fingerprint);
      expect(marker!.changes.length + marker!.unrecorded).toBe(5000);
    });

    it('cuts the table of a 5,000-resource plan with a note, listing every destruction and replacement', () => {
      const { summary, planText } = generatePlan(5000);
      const body = renderPlanComment(input({ summary, planText }));
      const shownRows = body.split('\n').filter((line) => /^\| (:warning: )?`/.test(line));
      expect(body).toMatch(/#### Resource changes \([\d,]+ of 5,000\)/);
      expect(body).toContain(
        `${(5000 - shownRows.length + 2).toLocaleString('en-US')} more resource changes do not fit in a comment`,
      );
      const destructive = summary.resourceChanges.filter(
        (c) => c.action === 'delete' || c.action === 'replace',
      );
      expect(destructive.length).toBeGreaterThan(0);
      for (const change of destructive) expect(rowFor(body, change.address)).toBeDefined();
      expect(body).toContain(
        `The plan text (${planText.split('\n').length.toLocaleString('en-US')} lines) does not fit`,
      );
      expect(body).toContain(`[run log](${RUN_URL})`);
    });

    it('item 5: when even the destructions do not fit, the note counts every left-out row by kind', () => {
      const changes: ResourceChange[] = Array.from({ length: 3000 }, (_, i) => ({
        address: `module.fleet.aws_instance.node["${String(i).padStart(5, '0')}-${'x'.repeat(40)}"]`,
        type: 'aws_instance',
        action: i % 3 === 0 ? 'delete' : i % 3 === 1 ? 'replace-create-first' : 'update',
      }));
      const body = renderPlanComment(input({ summary: summaryOf(changes), planText: 'x\n'.repeat(10) }));
      expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT - OUTCOME_ROOM);
      const rows = body.split('\n').filter((line) => /^\| (:warning: )?`/.test(line));
      // No update is shown while a destruction is left out.
      expect(rows.some((row) => row.includes('update in place'))).toBe(false);
      const shownDeletes = rows.filter((row) => row.includes('`-` destroy')).length;
      const shownReplaces = rows.filter((row) => row.includes('`+/-` replace')).length;
      const note = /([\d,]+) more resource changes do not fit in a comment \(([^)]*)\)/.exec(body);
      expect(note).not.toBeNull();
      const counted: Record<string, number> = Object.fromEntries(
        note![2]!.split('; ').map((part): [string, number] => {
          const [, count, kind] = /^([\d,]+) (.*)$/.exec(part)!;
          return [kind ?? '', Number(count!.replace(/,/g, ''))];
        }),
      );
      expect(counted).toEqual({
        destroy: 1000 - shownDeletes,
        'replace, create first': 1000 - shownReplaces,
        'update in place': 1000,
      });
      // The hidden marker stays within its budget, whatever the plan's size.
      const marker = body.slice(0, body.indexOf(' -->') + 4);
      expect(marker.length).toBeLessThan(11_000);
    });

    it('cuts a long plan text line by line after the tables, saying how much is shown', () => {
      const { summary, planText } = generatePlan(600);
      const body = renderPlanComment(
        input({ summary: { ...summary, resourceChanges: summary.resourceChanges.slice(0, 40) }, planText }),
      );
      expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT);
      expect(body).toContain('#### Resource changes (40)');
      const title = /Full plan text \(first ([\d,]+) of ([\d,]+) lines\)/.exec(body);
      expect(title).not.toBeNull();
      const shown = Number(title![1]!.replace(/,/g, ''));
      expect(Number(title![2]!.replace(/,/g, ''))).toBe(planText.split('\n').length);
      const block = body.slice(body.indexOf('```text\n') + 8, body.lastIndexOf('\n```'));
      expect(block).toBe(planText.split('\n').slice(0, shown).join('\n'));
      expect(body).toContain(`65,536-character limit. The full plan is in the [run log](${RUN_URL}).`);
      // As much as fits, leaving the room the apply outcome needs later: one more line would not.
      expect(body.length + planText.split('\n')[shown]!.length + 1).toBeGreaterThan(
        COMMENT_BODY_LIMIT - OUTCOME_ROOM,
      );
    });

    it('shortens a single over-long line instead of letting it use up the comment', () => {
      const body = renderPlanComment(input({ planText: `user_data = "${'A'.repeat(5000)}"` }));
      expect(body).toContain(`user_data = "${'A'.repeat(987)} … (4,014 more characters)`);
    });

    it('drops terminal colour codes and carriage returns from the plan text', () => {
      const body = renderPlanComment(input({ planText: '\u001b[1m\u001b[32m+\u001b[0m create\r\nnext\r\n' }));
      expect(body).toContain('```text\n+ create\nnext\n```');
    });

    it('refuses with a clear error when even the fixed parts exceed the limit', () => {
      expect(() => renderPlanComment(input({ summary: mixed, maxLength: 300 }))).toThrow(DeployError);
      expect(() => renderPlanComment(input({ summary: mixed, maxLength: 300 }))).toThrow(/limit is 300/);
    });
  });
});

describe('renderPlanComment: imports, moves, notices and the release review', () => {
  it('shows imports, moves, forgets and unknown actions in the table and the headline', () => {
    const summary = planSummaryOf([
      { address: 'aws_s3_bucket.logs', type: 'aws_s3_bucket', action: 'no-op', importId: 'acme-logs' },
      {
        address: 'aws_instance.web',
        type: 'aws_instance',
        action: 'no-op',
        movedFrom: 'aws_instance.web[0]',
      },
      { address: 'aws_sqs_queue.old', type: 'aws_sqs_queue', action: 'forget' },
      { address: 'ephemeral.x.y', type: 'x', action: 'unknown', rawActions: 'open' },
    ]);
    const body = renderPlanComment(input({ summary }));
    expect(body).toContain(
      '**Plan: 1 to import, 0 to add, 0 to change, 0 to destroy, 0 to replace, 1 to move, 1 to forget, 1 of an unknown kind.**',
    );
    expect(cells(rowFor(body, 'aws_s3_bucket.logs')!)).toEqual([
      'import',
      '`aws_s3_bucket.logs`',
      'imported from ID `acme-logs`',
    ]);
    expect(cells(rowFor(body, 'aws_instance.web')!)).toEqual([
      'move',
      '`aws_instance.web`',
      'moved from `aws_instance.web[0]`',
    ]);
    expect(cells(rowFor(body, 'ephemeral.x.y')!)[0]).toBe(':warning: `?` unknown action open');
  });

  it('shows drift, deferred changes and a plan Terraform will not apply, collapsed', () => {
    const summary = planSummaryOf([], [], undefined, {
      drift: [
        {
          address: 'aws_security_group.web',
          type: 'aws_security_group',
          action: 'update',
          reason: 'relevant_to_plan',
        },
      ],
      deferred: [{ address: 'aws_eks_cluster.x', reason: 'provider_config_unknown' }],
      applyable: false,
    });
    const body = renderPlanComment(input({ summary }));
    expect(body).toContain(':no_entry: Terraform reports this plan as **not applyable**');
    expect(body).toContain('<details><summary>1 resource changed outside Terraform (drift)</summary>');
    expect(rowFor(body, 'aws_security_group.web')).toContain('updated, affects this plan');
    expect(body).toContain('<details><summary>1 change deferred to a later plan</summary>');
    expect(rowFor(body, 'aws_eks_cluster.x')).toContain('provider\\_config\\_unknown');
  });

  it('scrubs sensitive values from warnings and from the decoded diff, line by line', () => {
    const review = {
      sensitiveValues: ['hunter2-but-longer'],
      image: { before: `docker.io/acme/shop:v1@sha256:${'1'.repeat(64)}`, after: IMAGE },
      textChanges: [
        {
          address: 'aws_launch_template.web',
          attribute: 'user_data',
          encoding: 'base64' as const,
          before: 'PASSWORD=hunter2-but-longer\nDEBUG=false\n',
          after: 'PASSWORD=hunter2-but-longer\nDEBUG=true\n',
          afterUnknown: false,
          sensitive: false,
        },
      ],
    };
    const body = renderPlanComment(
      input({
        review,
        imageTags: ['v2'],
        warnings: ['Warning: something\n\nvalue hunter2-but-longer leaked'],
      }),
    );
    expect(body).not.toContain('hunter2-but-longer');
    expect(body).toContain(
      `- Image: \`docker.io/acme/shop:v1@sha256:${'1'.repeat(64)}\` (tag \`v1\`) → \`${IMAGE}\` (tags \`v2\`)`,
    );
    expect(body).toContain('```diff\n@@ -1,2 +1,2 @@\n PASSWORD=***\n-DEBUG=false\n+DEBUG=true\n```');
    expect(body).toContain('value *** leaked');
  });

  it('keeps a huge template diff within the release budget and points at the log', () => {
    const before = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'a'.repeat(30)}`).join('\n');
    const after = before.replace(/a{30}/g, 'b'.repeat(30));
    const review = {
      sensitiveValues: [],
      image: undefined,
      textChanges: [
        {
          address: 'local_file.big',
          attribute: 'content',
          encoding: 'text' as const,
          before,
          after,
          afterUnknown: false,
          sensitive: false,
        },
      ],
    };
    const body = renderPlanComment(input({ review }));
    const release = body.slice(body.indexOf('#### Release'));
    expect(release.indexOf('</details>')).toBeLessThan(16_500);
    expect(body).toMatch(/[\d,]+ more diff lines are in the \[run log\]/);
  });
});

describe('renderPlanComment: release section only when there is a release', () => {
  it('is left out when neither the image nor a boot script changes', () => {
    const review = { sensitiveValues: [], image: { before: IMAGE, after: IMAGE }, textChanges: [] };
    expect(renderPlanComment(input({ review }))).not.toContain('#### Release');
    expect(renderPlanComment(input())).not.toContain('#### Release');
  });
});

describe('renderPlanComment: a plan changing many boot scripts', () => {
  it('diffs at most 20 within the release budget and counts the rest', () => {
    const textChanges = Array.from({ length: 500 }, (_, i) => ({
      address: `aws_instance.web[${i}]`,
      attribute: 'user_data',
      encoding: 'text' as const,
      before: `echo ${i}\n`.repeat(50),
      after: `echo ${i + 1}\n`.repeat(50),
      afterUnknown: false,
      sensitive: false,
    }));
    const body = renderPlanComment(input({ review: { sensitiveValues: [], image: undefined, textChanges } }));
    const release = body.slice(
      body.indexOf('#### Release'),
      body.indexOf('<details><summary>Full plan text'),
    );
    expect(release.length).toBeLessThanOrEqual(16_000);
    expect((release.match(/```diff/g) ?? []).length).toBeLessThanOrEqual(20);
    expect(release).toMatch(
      /([\d,]+) more boot scripts or templates change; their diffs are in the \[run log\]/,
    );
  });
});
