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

  it("protects the stack's database by default: a replacement would start empty", () => {
    const replaced = summarizePlan(
      plan([
        resource('module.web_tier.aws_db_instance.main[0]', ['delete', 'create'], {
          action_reason: 'replace_because_cannot_update',
        }),
      ]),
    );
    const refusal = destroyGuard(replaced, { protectedTypes: DEFAULT_PROTECTED_TYPES, allowDestroy: false });
    expect(refusal?.reason).toBe('destroy-blocked');
    expect(refusal?.message).toContain(
      'replace module.web_tier.aws_db_instance.main[0] (replace_because_cannot_update)',
    );
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

describe('summarizePlan across the plan JSON format', () => {
  it('reads every action list Terraform writes, counting each kind and showing an unknown one', () => {
    const summary = summarizePlan(
      plan([
        resource('terraform_data.create', ['create']),
        resource('terraform_data.update', ['update']),
        resource('terraform_data.delete', ['delete']),
        resource('terraform_data.first', ['delete', 'create']),
        resource('terraform_data.cbd', ['create', 'delete']),
        resource('terraform_data.forget', ['forget']),
        resource('terraform_data.renew', ['create', 'forget']),
        resource('data.http.read', ['read']),
        resource('terraform_data.same', ['no-op']),
        resource('ephemeral.thing.x', ['open']),
        resource('terraform_data.broken', 'not-a-list' as unknown as string[]),
      ]),
    );
    expect(summary).toMatchObject({
      add: 2,
      change: 1,
      destroy: 1,
      replace: 2,
      forget: 2,
      other: 2,
      import: 0,
      move: 0,
      hasChanges: true,
    });
    const actions = Object.fromEntries(
      summary.resourceChanges.map((change) => [change.address, change.action]),
    );
    expect(actions).toEqual({
      'data.http.read': 'read',
      'ephemeral.thing.x': 'unknown',
      'terraform_data.broken': 'unknown',
      'terraform_data.cbd': 'replace-create-first',
      'terraform_data.create': 'create',
      'terraform_data.delete': 'delete',
      'terraform_data.first': 'replace',
      'terraform_data.forget': 'forget',
      'terraform_data.renew': 'replace-forget',
      'terraform_data.update': 'update',
    });
    expect(summary.resourceChanges.find((change) => change.address === 'ephemeral.thing.x')?.rawActions).toBe(
      'open',
    );
    expect(describeCounts(summary)).toBe(
      '2 to add, 1 to change, 1 to destroy, 2 to replace, 2 to forget, 2 of an unknown kind',
    );
  });

  it('counts imports and moves, alone or with another action, and fingerprints them', () => {
    const importOnly = plan([resource('aws_s3_bucket.logs', ['no-op'], { importing: { id: 'acme-logs' } })]);
    const summary = summarizePlan(
      plan([
        resource('aws_s3_bucket.logs', ['no-op'], { importing: { id: 'acme-logs' } }),
        resource('aws_s3_bucket.data', ['update'], { importing: { id: 'acme-data' } }),
        resource('aws_iam_role.unknown_id', ['create'], { importing: { unknown: true } }),
        {
          ...resource('module.app.aws_instance.web["a b"]', ['no-op']),
          previous_address: 'aws_instance.web[0]',
        },
      ]),
    );
    expect(summary).toMatchObject({ import: 3, move: 1, add: 1, change: 1, hasChanges: true });
    expect(summary.resourceChanges.find((c) => c.address === 'aws_iam_role.unknown_id')?.importId).toBe('');
    expect(summary.resourceChanges.find((c) => c.address.startsWith('module.app'))?.movedFrom).toBe(
      'aws_instance.web[0]',
    );
    expect(summarizePlan(importOnly).hasChanges).toBe(true);
    expect(summarizePlan(importOnly).fingerprint).not.toBe(summarizePlan(plan([])).fingerprint);
    expect(describeCounts(summary)).toBe(
      '3 to import, 1 to add, 1 to change, 0 to destroy, 0 to replace, 1 to move',
    );
  });

  it('keeps deposed objects apart from the current one at the same address', () => {
    const summary = summarizePlan(
      plan([
        resource('aws_instance.web', ['create', 'delete']),
        { ...resource('aws_instance.web', ['delete']), deposed: '00000001' },
      ]),
    );
    expect(summary.resourceChanges.map((change) => change.address)).toEqual([
      'aws_instance.web',
      'aws_instance.web (deposed object 00000001)',
    ]);
  });

  it('reads drift (flagging what the plan relies on), deferred changes, failed checks and applyability', () => {
    const summary = summarizePlan({
      ...plan([]),
      resource_drift: [
        resource('aws_security_group.web', ['update']),
        resource('aws_instance.gone', ['delete']),
        resource('aws_vpc.same', ['no-op']),
      ],
      relevant_attributes: [{ resource: 'aws_security_group.web', attribute: ['ingress'] }],
      deferred_changes: [
        { reason: 'provider_config_unknown', resource_change: resource('aws_eks.x', ['create']) },
      ],
      checks: [
        {
          address: { kind: 'check', to_display: 'check.health' },
          status: 'fail',
          instances: [{ problems: [{ message: 'down' }] }],
        },
        { address: { kind: 'resource', to_display: 'aws_instance.ok' }, status: 'pass' },
        { address: { kind: 'output_value', to_display: 'output.url' }, status: 'error' },
      ],
      errored: true,
      complete: false,
    });
    expect(summary.drift).toEqual([
      { address: 'aws_instance.gone', type: 'aws_instance', action: 'delete' },
      {
        address: 'aws_security_group.web',
        type: 'aws_security_group',
        action: 'update',
        reason: 'relevant_to_plan',
      },
    ]);
    expect(summary.deferred).toEqual([{ address: 'aws_eks.x', reason: 'provider_config_unknown' }]);
    expect(summary.checks).toEqual([
      { address: 'check.health', status: 'fail', problems: ['down'] },
      { address: 'output.url', status: 'error', problems: [] },
    ]);
    expect(summary).toMatchObject({ applyable: false, complete: false, hasChanges: false });
  });

  it('never crashes on entries of an unexpected shape: they are shown and counted', () => {
    const summary = summarizePlan({
      format_version: '9.9',
      resource_changes: [
        null,
        7,
        { change: { actions: ['update'] }, type: 'x', name: 'y' },
        { address: 'a.b' },
      ],
      output_changes: { weird: { actions: ['replace'] }, gone: null },
      something_new: { nested: [1, 2] },
    });
    expect(summary.resourceChanges.map((change) => [change.address, change.action])).toEqual([
      ['(resource change #1 without an address)', 'unknown'],
      ['(resource change #2 without an address)', 'unknown'],
      ['a.b', 'unknown'],
      ['x.y', 'update'],
    ]);
    expect(summary.other).toBe(3);
    // An output entry of no known shape is still shown, as a change of unknown kind would be.
    expect(summary.outputChanges).toEqual([
      { name: 'gone', action: 'update', sensitive: false },
      { name: 'weird', action: 'update', sensitive: false },
    ]);
  });

  it('accepts a plan with no resource_changes at all (Terraform omits it when nothing is planned)', () => {
    expect(summarizePlan({ format_version: '1.2', errored: true })).toMatchObject({
      hasChanges: false,
      applyable: false,
    });
  });
});
