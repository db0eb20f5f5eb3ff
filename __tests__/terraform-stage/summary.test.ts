/** Plan JSON -> PlanSummary and the destroy guard: pure, on plan documents shaped as Terraform writes them. */
import { DeployError } from '../../src/errors';
import { DEFAULT_PROTECTED_TYPES, describeCounts, destroyGuard, summarizePlan } from '../../src/terraform';

function resource(address: string, actions: string[], extra: Record<string, unknown> = {}) {
  const type = address.split('.').at(-2) ?? '';
  const { action_reason: reason, ...change } = extra;
  return {
    address,
    type,
    ...(reason === undefined ? {} : { action_reason: reason }),
    change: { actions, before: null, after: { name: address }, after_unknown: {}, ...change },
  };
}

function plan(resourceChanges: unknown[], outputChanges: Record<string, unknown> = {}) {
  return { format_version: '1.2', resource_changes: resourceChanges, output_changes: outputChanges };
}

describe('summarizePlan', () => {
  it('counts like Terraform: a replacement once, reads and no-ops not at all', () => {
    const summary = summarizePlan(
      plan([
        resource('aws_lb.web', ['create']),
        resource('aws_launch_template.web', ['update']),
        resource('aws_autoscaling_group.web', ['delete', 'create'], {
          action_reason: 'replace_because_cannot_update',
        }),
        resource('aws_lb_target_group.web', ['create', 'delete']),
        resource('aws_sns_topic.alerts', ['delete']),
        resource('aws_vpc.main', ['no-op']),
        resource('data.aws_ami.al2023', ['read']),
      ]),
    );
    expect(summary).toMatchObject({ add: 1, change: 1, destroy: 1, replace: 2, hasChanges: true });
    expect(summary.resourceChanges).toEqual([
      {
        address: 'aws_autoscaling_group.web',
        type: 'aws_autoscaling_group',
        action: 'replace',
        reason: 'replace_because_cannot_update',
      },
      { address: 'aws_launch_template.web', type: 'aws_launch_template', action: 'update' },
      { address: 'aws_lb.web', type: 'aws_lb', action: 'create' },
      { address: 'aws_lb_target_group.web', type: 'aws_lb_target_group', action: 'replace-create-first' },
      { address: 'aws_sns_topic.alerts', type: 'aws_sns_topic', action: 'delete' },
      { address: 'data.aws_ami.al2023', type: 'aws_ami', action: 'read' },
    ]);
    expect(describeCounts(summary)).toBe('1 to add, 1 to change, 1 to destroy, 2 to replace');
  });

  it('sees no changes in a plan of no-ops and reads only', () => {
    const summary = summarizePlan(
      plan([resource('aws_vpc.main', ['no-op']), resource('data.aws_ami.al2023', ['read'])]),
    );
    expect(summary.hasChanges).toBe(false);
    expect(describeCounts(summary)).toBe('no changes');
  });

  it('counts output changes, with their sensitivity, as changes', () => {
    const summary = summarizePlan(
      plan([], {
        app_url: { actions: ['update'], before: 'http://a', after: 'http://b', after_sensitive: false },
        db_password: { actions: ['create'], before: null, after: 'hunter2', after_sensitive: true },
        same: { actions: ['no-op'], before: 1, after: 1 },
      }),
    );
    expect(summary.hasChanges).toBe(true);
    expect(summary.outputChanges).toEqual([
      { name: 'app_url', action: 'update', sensitive: false },
      { name: 'db_password', action: 'create', sensitive: true },
    ]);
  });

  describe('fingerprint', () => {
    const base = () => [
      resource('aws_launch_template.web', ['update'], {
        before: { image: 'a', tags: { Name: 'web' } },
        after: { image: 'b', tags: { Name: 'web' } },
      }),
      resource('aws_lb.web', ['create']),
    ];

    it('is the same for the same changes in any order', () => {
      expect(summarizePlan(plan(base())).fingerprint).toBe(summarizePlan(plan(base().reverse())).fingerprint);
      expect(summarizePlan(plan(base())).fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('changes when any planned value changes', () => {
      const changed = base();
      changed[0] = resource('aws_launch_template.web', ['update'], {
        before: { image: 'a', tags: { Name: 'web' } },
        after: { image: 'c', tags: { Name: 'web' } },
      });
      expect(summarizePlan(plan(changed)).fingerprint).not.toBe(summarizePlan(plan(base())).fingerprint);
    });

    it('ignores the value of sensitive attributes, so no secret shapes it', () => {
      const withSecret = (secret: string) =>
        plan([
          resource('aws_ssm_parameter.key', ['create'], {
            after: { name: 'key', value: secret },
            after_sensitive: { value: true },
          }),
        ]);
      expect(summarizePlan(withSecret('one')).fingerprint).toBe(summarizePlan(withSecret('two')).fingerprint);
    });
  });

  it.each([
    ['a string', 'plan'],
    ['an array', []],
    ['a state document (no format_version... nor resource_changes)', { values: { root_module: {} } }],
  ])('refuses %s with an explained error', (_label, document) => {
    expect(() => summarizePlan(document)).toThrow(DeployError);
    expect(() => summarizePlan(document)).toThrow(/Terraform's JSON format/);
  });
});

describe('destroyGuard', () => {
  const summary = summarizePlan(
    plan([
      resource('aws_lb.web', ['delete', 'create'], { action_reason: 'replace_because_cannot_update' }),
      resource('aws_vpc.main', ['delete']),
      resource('aws_launch_template.web', ['delete']),
      resource('aws_subnet.private[0]', ['update']),
    ]),
  );

  it('refuses deleting or replacing protected types, listing each with its reason', () => {
    const refusal = destroyGuard(summary, { protectedTypes: DEFAULT_PROTECTED_TYPES, allowDestroy: false });
    expect(refusal?.reason).toBe('destroy-blocked');
    expect(refusal?.message).toContain('2 protected resources');
    expect(refusal?.message).toContain('replace aws_lb.web (replace_because_cannot_update)');
    expect(refusal?.message).toContain('destroy aws_vpc.main');
    expect(refusal?.message).not.toContain('aws_launch_template.web');
    expect(refusal?.message).not.toContain('aws_subnet');
    expect(refusal?.nextSteps).toContain('allow-destroy: true');
  });

  it('lets the plan through when allowed, or when nothing protected goes', () => {
    expect(
      destroyGuard(summary, { protectedTypes: DEFAULT_PROTECTED_TYPES, allowDestroy: true }),
    ).toBeUndefined();
    expect(
      destroyGuard(summary, { protectedTypes: ['aws_db_instance'], allowDestroy: false }),
    ).toBeUndefined();
  });
});
