/** reviewPlan: sensitive values to scrub, decoded boot scripts and templates, the image before and after. */
import { gzipSync } from 'node:zlib';
import { reviewPlan, SHORT_SENSITIVE_LENGTH } from '../../src/terraform';

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('reviewPlan', () => {
  it('collects every sensitive value: nested marks in changes and drift, prior state, outputs, variables', () => {
    const review = reviewPlan({
      format_version: '1.2',
      variables: { db_password: { value: 'variable-secret-1' }, region: { value: 'eu-west-1' } },
      configuration: { root_module: { variables: { db_password: { sensitive: true }, region: {} } } },
      resource_changes: [
        {
          address: 'aws_db_instance.main',
          change: {
            actions: ['update'],
            before: { password: 'before-secret-2', tags: { owner: 'ops' }, list: ['a', 'list-secret-3'] },
            after: { password: 'after-secret-4', nested: [{ token: 'nested-secret-5' }], port: 5432 },
            before_sensitive: { password: true, list: [false, true] },
            after_sensitive: { password: true, nested: [{ token: true }], port: true },
          },
        },
      ],
      resource_drift: [
        {
          address: 'x.y',
          change: { actions: ['update'], before: { k: 'drift-secret-6' }, before_sensitive: { k: true } },
        },
      ],
      output_changes: {
        key: { actions: ['create'], after: { a: 'output-secret-7' }, after_sensitive: true },
      },
      prior_state: {
        values: {
          outputs: { old: { sensitive: true, value: 'prior-output-8' } },
          root_module: {
            child_modules: [
              { resources: [{ values: { v: 'prior-module-9' }, sensitive_values: { v: true } }] },
            ],
          },
        },
      },
    });
    expect(review.sensitiveValues).toEqual(
      expect.arrayContaining([
        'variable-secret-1',
        'before-secret-2',
        'list-secret-3',
        'after-secret-4',
        'nested-secret-5',
        '"5432"',
        'drift-secret-6',
        'output-secret-7',
        'prior-output-8',
        'prior-module-9',
      ]),
    );
    expect(review.sensitiveValues).not.toContain('ops');
    expect(review.sensitiveValues).not.toContain('eu-west-1');
    // Longest first, so a secret containing another is masked whole.
    expect([...review.sensitiveValues].sort((a, b) => b.length - a.length)).toEqual(review.sensitiveValues);
  });

  it(`scrubs values shorter than ${SHORT_SENSITIVE_LENGTH} characters only as whole quoted strings`, () => {
    const review = reviewPlan({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'a.b',
          change: {
            actions: ['create'],
            after: { pin: 'k9x', on: true },
            after_sensitive: { pin: true, on: true },
          },
        },
      ],
    });
    expect(review.sensitiveValues).toEqual(['"k9x"']);
  });

  it('decodes base64 and gzip+base64 boot scripts, keeps plain templates, names the path of nested ones', () => {
    const review = reviewPlan({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_launch_template.web',
          change: {
            actions: ['update'],
            before: { user_data: base64('echo one\n') },
            after: { user_data: base64('echo two\n') },
          },
        },
        {
          address: 'data.cloudinit_config.boot',
          change: {
            actions: ['read'],
            before: null,
            after: {
              rendered: gzipSync('#cloud-config\n').toString('base64'),
              part: [{ content: 'runcmd: [x]' }],
            },
          },
        },
        {
          address: 'aws_instance.legacy',
          change: {
            actions: ['update'],
            before: { user_data: 'plain old' },
            after: { user_data: 'plain new' },
          },
        },
      ],
    });
    expect(review.textChanges).toEqual([
      {
        address: 'aws_instance.legacy',
        attribute: 'user_data',
        encoding: 'text',
        before: 'plain old',
        after: 'plain new',
        afterUnknown: false,
        sensitive: false,
      },
      expect.objectContaining({
        address: 'aws_launch_template.web',
        encoding: 'base64',
        before: 'echo one\n',
        after: 'echo two\n',
      }),
      expect.objectContaining({ attribute: 'part[0].content', after: 'runcmd: [x]', before: undefined }),
      expect.objectContaining({ attribute: 'rendered', encoding: 'base64+gzip', after: '#cloud-config\n' }),
    ]);
  });

  it('shows no line of a sensitive boot script, and says when the new one is known only after apply', () => {
    const review = reviewPlan({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_launch_template.secret',
          change: {
            actions: ['update'],
            before: { user_data: base64('TOKEN=abc\n') },
            after: { user_data: base64('TOKEN=def\n') },
            after_sensitive: { user_data: true },
          },
        },
        {
          address: 'aws_launch_template.later',
          change: {
            actions: ['update'],
            before: { user_data: base64('a\n') },
            after: {},
            after_unknown: { user_data: true },
          },
        },
      ],
    });
    expect(review.textChanges).toEqual([
      expect.objectContaining({
        address: 'aws_launch_template.later',
        afterUnknown: true,
        after: undefined,
        before: 'a\n',
      }),
      expect.objectContaining({
        address: 'aws_launch_template.secret',
        sensitive: true,
        before: undefined,
        after: undefined,
      }),
    ]);
  });

  it('reads the image output before and after, unless it is sensitive', () => {
    const changes = (sensitive: boolean) => ({
      format_version: '1.2',
      output_changes: {
        image: {
          actions: ['update'],
          before: 'r/web@sha256:1',
          after: 'r/web@sha256:2',
          after_sensitive: sensitive,
        },
      },
    });
    expect(reviewPlan(changes(false)).image).toEqual({ before: 'r/web@sha256:1', after: 'r/web@sha256:2' });
    expect(reviewPlan(changes(true)).image).toBeUndefined();
  });
});
