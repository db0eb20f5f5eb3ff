/**
 * Plan JSON shaped as Terraform writes it, for the approved-plan binding: the pull request's plan
 * made at the deployed image OLD, the deploy's saved plan at NEW (a launch template carrying the
 * image plain, in base64 and in base64+gzip, and the outputs that carry it).
 */
import { gzipSync } from 'node:zlib';
import { summarizePlan } from '../../src/terraform';

export const OLD = `registry.test/acme/web@sha256:${'1'.repeat(64)}`;
export const NEW = `registry.test/acme/web@sha256:${'2'.repeat(64)}`;

export const base64 = (text: string) => Buffer.from(text).toString('base64');
export const base64gzip = (text: string) => gzipSync(Buffer.from(text)).toString('base64');

/** A launch template's values at an image: the image plain, in base64 and in base64+gzip. */
export function template(image: string, extra: Record<string, unknown> = {}) {
  return {
    description: `Runs ${image}`,
    user_data: base64(`#!/bin/bash\ndocker pull '${image}'\n`),
    cloud_config: base64gzip(`runcmd:\n  - docker run ${image}\n`),
    instance_type: 't3.small',
    latest_version: 3,
    ...extra,
  };
}

interface Change {
  address: string;
  actions: string[];
  before: unknown;
  after: unknown;
  afterUnknown?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export function change({ address, actions, before, after, afterUnknown = {}, extra = {} }: Change) {
  const [type = '', name = ''] = address.split('.').slice(-2);
  return {
    address,
    mode: 'managed',
    type,
    name: name.replace(/\[.*$/, ''),
    change: { actions, before, after, after_unknown: afterUnknown, ...extra },
  };
}

/** `values` without `key`: what Terraform's `after` is when that attribute is known only after apply. */
export function without(values: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => name !== key));
}

/** The image-carrying update a new image makes: latest_version becomes known after apply. */
export function templateUpdate(from: string, to: string, extra: Record<string, unknown> = {}) {
  return change({
    address: 'aws_launch_template.web',
    actions: ['update'],
    before: template(from),
    after: without(template(to, extra), 'latest_version'),
    afterUnknown: { latest_version: true },
  });
}

const CONFIGURATION = {
  root_module: {
    resources: [
      {
        address: 'aws_launch_template.web',
        mode: 'managed',
        type: 'aws_launch_template',
        name: 'web',
        expressions: {
          description: { references: ['var.image'] },
          user_data: { references: ['var.image'] },
          cloud_config: { references: ['var.image'] },
          instance_type: { constant_value: 't3.small' },
        },
      },
    ],
    outputs: {
      image: { expression: { references: ['var.image'] } },
      launch_template_version: {
        expression: { references: ['aws_launch_template.web.latest_version', 'aws_launch_template.web'] },
      },
      app_url: { expression: { references: ['aws_lb.web.dns_name', 'aws_lb.web'] } },
    },
  },
};

interface PlanParts {
  image: string;
  resources?: unknown[];
  outputs?: Record<string, unknown>;
}

function plan({ image, resources = [], outputs = {} }: PlanParts) {
  return {
    format_version: '1.2',
    variables: { image: { value: image } },
    resource_changes: [
      change({
        address: 'aws_vpc.main',
        actions: ['no-op'],
        before: { cidr: '10.0.0.0/16' },
        after: { cidr: '10.0.0.0/16' },
      }),
      ...resources,
    ],
    output_changes: {
      image: { actions: image === OLD ? ['no-op'] : ['update'], before: OLD, after: image },
      ...outputs,
    },
    configuration: CONFIGURATION,
  };
}

/** The pull request's plan at the deployed image: only `resources` change. */
export const approvedPlan = (resources: unknown[] = [], outputs: Record<string, unknown> = {}) =>
  summarizePlan(plan({ image: OLD, resources, outputs }));

/** The deploy's saved plan at the new image: the template update plus `resources`. */
export function deployPlan(
  resources: unknown[] = [],
  outputs: Record<string, unknown> = {},
  update = templateUpdate(OLD, NEW),
) {
  return summarizePlan(
    plan({
      image: NEW,
      resources: [update, ...resources],
      outputs: {
        launch_template_version: { actions: ['update'], before: 3, after_unknown: true },
        ...outputs,
      },
    }),
  );
}

export const policy = (target: number, actions = ['update']) =>
  change({
    address: 'aws_autoscaling_policy.cpu',
    actions,
    before: { target: 60 },
    after: { target },
  });
