/** The deploy job summary carries the same Release section as the plan comment. */
import { deploySummary, planSummary } from '../../src/report';
import { planSummaryOf } from '../../emulation/planSummary';

const BEFORE = `docker.io/acme/web@sha256:${'1'.repeat(64)}`;
const AFTER = `docker.io/acme/web@sha256:${'2'.repeat(64)}`;

describe('deploySummary', () => {
  it('shows the image before -> after with its tags and the decoded boot-script diff, secrets scrubbed', () => {
    const markdown = deploySummary({
      image: {
        repository: 'docker.io/acme/web',
        tags: ['v2', 'sha-abc'],
        digest: `sha256:${'2'.repeat(64)}`,
        reference: AFTER,
        imageId: undefined,
        built: true,
        revision: 'abc',
      },
      plan: planSummaryOf([
        { address: 'aws_launch_template.web', type: 'aws_launch_template', action: 'update' },
      ]),
      rollout: {
        asgName: 'web',
        refreshId: 'r-1',
        refreshStatus: 'Successful',
        launchTemplateId: 'lt-1',
        targetVersion: 2,
        previousVersion: '1',
        desiredCapacity: 2,
        healthyTargets: 2,
        smoke: undefined,
        seconds: 10,
      },
      label: 'terraform',
      release: {
        secrets: ['dckr_pat_token-value'],
        runUrl: 'https://github.com/acme/web/actions/runs/1',
        review: {
          sensitiveValues: ['sensitive-db-password'],
          image: { before: BEFORE, after: AFTER },
          textChanges: [
            {
              address: 'aws_launch_template.web',
              attribute: 'user_data',
              encoding: 'base64',
              before: `DB=sensitive-db-password\ndocker pull '${BEFORE}'\n`,
              after: `DB=sensitive-db-password\ndocker pull '${AFTER}'\n`,
              afterUnknown: false,
              sensitive: false,
            },
          ],
        },
      },
    });
    expect(markdown).toContain('#### Release');
    expect(markdown).toContain(`- Image: \`${BEFORE}\` → \`${AFTER}\` (tags \`v2\`, \`sha-abc\`)`);
    expect(markdown).toContain(
      `\`\`\`diff\n@@ -1,2 +1,2 @@\n DB=***\n-docker pull '${BEFORE}'\n+docker pull '${AFTER}'\n\`\`\``,
    );
    expect(markdown).not.toContain('sensitive-db-password');
    expect(markdown.indexOf('#### Release')).toBeLessThan(markdown.indexOf('### Rollout'));
  });
});

describe('planSummary', () => {
  it('names imports and moves rather than calling them no-ops', () => {
    const markdown = planSummary(
      planSummaryOf([
        { address: 'aws_s3_bucket.logs', type: 'aws_s3_bucket', action: 'no-op', importId: 'logs' },
        {
          address: 'aws_instance.web',
          type: 'aws_instance',
          action: 'update',
          movedFrom: 'aws_instance.web[0]',
        },
      ]),
      BEFORE,
      'terraform',
    );
    expect(markdown).toContain('| `aws_s3_bucket.logs` | import |');
    expect(markdown).toContain('| `aws_instance.web` | update + move |');
    expect(markdown).toContain(
      '| Changes | 1 to import, 0 to add, 1 to change, 0 to destroy, 0 to replace, 1 to move |',
    );
  });
});
