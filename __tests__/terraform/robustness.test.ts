/**
 * No plan document crashes the plan step: a plan in Terraform's shape, mutated at random places
 * into every JSON type (seeded, so a failure reproduces), always summarizes, reviews and renders.
 */
import { renderPlanComment } from '../../src/comment';
import { reviewPlan, summarizePlan } from '../../src/terraform';

const base64 = (text: string) => Buffer.from(text).toString('base64');

function plan(): Record<string, unknown> {
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    applyable: true,
    complete: true,
    variables: { secret: { value: 'variable-secret' } },
    configuration: { root_module: { variables: { secret: { sensitive: true } } } },
    resource_changes: [
      {
        address: 'module.app.aws_launch_template.web["a \\"b\\""]',
        module_address: 'module.app',
        type: 'aws_launch_template',
        name: 'web',
        index: 'a "b"',
        previous_address: 'aws_launch_template.web',
        action_reason: 'replace_because_cannot_update',
        change: {
          actions: ['create', 'delete'],
          before: { user_data: base64('echo old\n'), tags: { a: 'b' }, list: [1, 2] },
          after: { user_data: base64('echo new\n'), tags: { a: 'c' }, list: [1] },
          after_unknown: { id: true },
          before_sensitive: { tags: { a: true } },
          after_sensitive: { list: [true] },
          importing: { id: 'lt-1' },
        },
      },
      {
        address: 'terraform_data.gone',
        type: 'terraform_data',
        deposed: 'abcd',
        change: { actions: ['forget'] },
      },
    ],
    resource_drift: [
      { address: 'aws_vpc.main', type: 'aws_vpc', change: { actions: ['update'], before: {}, after: {} } },
    ],
    relevant_attributes: [{ resource: 'aws_vpc.main', attribute: ['cidr_block'] }],
    deferred_changes: [
      {
        reason: 'resource_config_unknown',
        resource_change: { address: 'x.y', change: { actions: ['create'] } },
      },
    ],
    output_changes: { image: { actions: ['update'], before: 'r@sha256:1', after: 'r@sha256:2' } },
    checks: [
      { address: { to_display: 'check.a' }, status: 'fail', instances: [{ problems: [{ message: 'bad' }] }] },
    ],
    prior_state: {
      values: { root_module: { resources: [{ values: { k: 'v' }, sensitive_values: { k: true } }] } },
    },
    planned_values: { outputs: { o: { sensitive: true, value: 'planned-secret' } } },
  };
}

/** Every path into the document, so a mutation can land anywhere. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    prefix,
    ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...prefix, key])),
  ];
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const REPLACEMENTS: unknown[] = [
  null,
  0,
  -1,
  1e300,
  '',
  'x',
  true,
  false,
  [],
  [null],
  {},
  { actions: 7 },
  ['delete', 'delete'],
  '\u0000<!-- -->`|',
];

describe('plan JSON robustness', () => {
  it('summarizes, reviews and renders 600 randomly damaged plans without throwing', () => {
    const next = random(42);
    for (let round = 0; round < 600; round++) {
      const document = plan();
      const all = paths(document).filter((path) => path.length > 0);
      for (let m = 0; m < 3; m++) {
        const path = all[Math.floor(next() * all.length)] ?? [];
        let target = document as Record<string | number, unknown>;
        for (const step of path.slice(0, -1)) {
          const child = target[step];
          if (child === null || typeof child !== 'object') break;
          target = child as Record<string | number, unknown>;
        }
        const last = path.at(-1);
        if (last !== undefined && typeof target === 'object') {
          target[last] = REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)];
        }
      }
      const summary = summarizePlan(document);
      const review = reviewPlan(document);
      const body = renderPlanComment({
        summary,
        planText: 'text',
        image: 'r@sha256:2',
        commit: 'c'.repeat(40),
        workingDirectory: 'terraform',
        runUrl: 'https://github.com/a/b/actions/runs/1',
        secrets: [],
        review,
      });
      expect(body.length).toBeLessThanOrEqual(65_536);
      expect(body).toMatch(/\*\*(Plan: .*|No changes\.)\*\*/);
      expect(body.startsWith('<!-- ha-django-deploy:plan {')).toBe(true);
    }
  });
});
