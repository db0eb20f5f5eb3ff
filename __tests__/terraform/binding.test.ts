/**
 * What a deploy binds of a plan (src/terraform/binding.ts, through summarizePlan): plan JSON shaped
 * as Terraform writes it, the approved plan made at the deployed image OLD, the deploy's at NEW.
 * Only the image may differ; every other difference changes the fingerprint.
 */
import { summarizePlan } from '../../src/terraform';
import {
  approvedPlan,
  base64,
  base64gzip,
  change,
  deployPlan,
  NEW,
  OLD,
  policy,
  template,
  templateUpdate,
  without,
} from '../support/imagePlans';

describe('the bound plan: the image is taken out', () => {
  it('binds an image change alone (plain, base64, base64+gzip, outputs) to the plan made at the old image', () => {
    const approved = approvedPlan([policy(70)]);
    const deploy = deployPlan([policy(70)]);
    expect(deploy.fingerprint).toBe(approved.fingerprint);
    expect(deploy.imageOnly).toEqual([
      'aws_launch_template.web',
      'output.image',
      'output.launch_template_version',
    ]);
    // What the comment shows is not bound away: the template update is still listed.
    expect(deploy.resourceChanges.map((entry) => entry.address)).toContain('aws_launch_template.web');
    expect(deploy.bound.map((entry) => entry.address)).toEqual(['aws_autoscaling_policy.cpu']);
  });

  it.each([
    ['plain text', { description: `Runs ${NEW} now` }],
    ['base64 text', { user_data: base64(`#!/bin/bash\ndocker pull '${NEW}'\necho extra\n`) }],
    ['base64+gzip text', { cloud_config: base64gzip(`runcmd:\n  - docker run --privileged ${NEW}\n`) }],
    ['an attribute beside the image', { instance_type: 't3.large' }],
  ])('binds a change of %s that comes with the image', (_label, extra) => {
    const approved = approvedPlan();
    const deploy = deployPlan([], {}, templateUpdate(OLD, NEW, extra));
    expect(deploy.fingerprint).not.toBe(approved.fingerprint);
    expect(deploy.bound.map((entry) => entry.address)).toEqual([
      'aws_launch_template.web',
      'output.launch_template_version',
    ]);
  });

  it('binds an attribute the configuration sets that becomes known only after apply', () => {
    const update = templateUpdate(OLD, NEW);
    const after = without(update.change.after as Record<string, unknown>, 'instance_type');
    update.change = { ...update.change, after, after_unknown: { latest_version: true, instance_type: true } };
    expect(deployPlan([], {}, update).imageOnly).not.toContain('aws_launch_template.web');
  });

  it('binds an update with nothing but values known after apply: no image explains it', () => {
    const update = change({
      address: 'aws_launch_template.web',
      actions: ['update'],
      before: template(NEW),
      after: template(NEW, { latest_version: undefined }),
      afterUnknown: { latest_version: true },
    });
    expect(deployPlan([], {}, update).imageOnly).not.toContain('aws_launch_template.web');
  });

  it('binds a replacement, even one whose values differ only in the image', () => {
    const update = templateUpdate(OLD, NEW);
    update.change = { ...update.change, actions: ['delete', 'create'] };
    const deploy = deployPlan([], {}, update);
    expect(deploy.fingerprint).not.toBe(approvedPlan().fingerprint);
    expect(deploy.bound.map((entry) => entry.address)).toContain('aws_launch_template.web');
  });

  it.each([
    [
      'a resource that exists only at the new image',
      [
        change({
          address: 'terraform_data.extra[0]',
          actions: ['create'],
          before: null,
          after: { input: 'x' },
        }),
      ],
      [],
    ],
    ['a resource no longer planned', [], [policy(70)]],
    ['another value of an approved change', [policy(80)], [policy(70)]],
    ['another action on an approved resource', [policy(70, ['delete', 'create'])], [policy(70)]],
    [
      'another count or for_each key',
      [change({ address: 'aws_instance.web["b"]', actions: ['create'], before: null, after: { ami: 'x' } })],
      [change({ address: 'aws_instance.web["a"]', actions: ['create'], before: null, after: { ami: 'x' } })],
    ],
  ])('refuses %s', (_label, deployResources, approvedResources) => {
    const approved = approvedPlan(approvedResources);
    const deploy = deployPlan(deployResources);
    expect(deploy.fingerprint).not.toBe(approved.fingerprint);
  });

  it('binds an output whose value changes with the image beyond the reference', () => {
    const derived = { actions: ['update'], before: 'web-1111', after: 'web-2222' };
    const approved = approvedPlan();
    const deploy = deployPlan([], { app_url: derived });
    expect(deploy.fingerprint).not.toBe(approved.fingerprint);
    expect(deploy.bound.map((entry) => entry.address)).toEqual(['output.app_url']);
  });

  it('binds an output known only after apply that refers to no image-only change', () => {
    const deploy = deployPlan([], {
      app_url: { actions: ['update'], before: 'a.example', after_unknown: true },
    });
    expect(deploy.bound.map((entry) => entry.address)).toEqual(['output.app_url']);
  });

  it('takes the image out of every bound value, so an approved change of it survives a new image', () => {
    const tagged = (image: string) =>
      change({
        address: 'aws_ssm_parameter.release',
        actions: ['create'],
        before: null,
        after: { value: image, note: base64(`image ${image}`) },
      });
    expect(deployPlan([tagged(NEW)]).fingerprint).toBe(approvedPlan([tagged(OLD)]).fingerprint);
  });

  it('takes nothing out when the image variable is not a reference pinned by digest', () => {
    const at = (image: string) =>
      summarizePlan({
        format_version: '1.2',
        variables: { image: { value: image } },
        resource_changes: [
          change({ address: 'terraform_data.x', actions: ['create'], before: null, after: { input: image } }),
        ],
      });
    expect(at('web:v1').fingerprint).not.toBe(at('web:v2').fingerprint);
    expect(at('web:v1').imageOnly).toEqual([]);
  });
});
