/** AWS console links for the refresh, the group and its target groups, in the log and the summary. */
import { consoleLinkLines, consoleLinks, consoleLinksMarkdown } from '../src/console';
import { rolloutSummary } from '../src/report';
import type { RolloutResult } from '../src/rollout';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-prod-web/0123456789abcdef';
const RESULT: RolloutResult = {
  asgName: 'web-prod-web',
  refreshId: 'r-1',
  refreshStatus: 'Successful',
  launchTemplateId: 'lt-1',
  targetVersion: 3,
  previousVersion: '2',
  desiredCapacity: 2,
  healthyTargets: 2,
  smoke: { url: 'http://x/health/', commit: 'abc1234', answers: 4, appUrl: 'http://x/', appStatus: 200 },
  seconds: 90,
};

describe('AWS console links', () => {
  it('point at the group, its instance refresh tab and each target group in the region', () => {
    const links = consoleLinks('eu-west-1', 'web-prod-web', [ARN]);
    expect(links.group).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#AutoScalingGroupDetails:id=web-prod-web;view=details',
    );
    expect(links.refresh).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#AutoScalingGroupDetails:id=web-prod-web;view=instanceRefresh',
    );
    expect(links.targetGroups).toEqual([
      `https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#TargetGroup:targetGroupArn=${encodeURIComponent(ARN)}`,
    ]);
  });

  it.each([
    ['cn-north-1', 'https://cn-north-1.console.amazonaws.cn/ec2/home?region=cn-north-1#'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1#'],
  ])('use the console of the partition of %s', (region, prefix) => {
    expect(consoleLinks(region, 'g', []).group.startsWith(prefix)).toBe(true);
  });

  it('are one log line each and one summary row', () => {
    const links = consoleLinks('eu-west-1', 'web-prod-web', [ARN]);
    expect(consoleLinkLines(links)).toEqual([
      `AWS console: instance refresh ${links.refresh}`,
      `AWS console: Auto Scaling group ${links.group}`,
      `AWS console: target group ${links.targetGroups[0] ?? ''}`,
    ]);
    expect(rolloutSummary(RESULT, links)).toContain(`| AWS console | ${consoleLinksMarkdown(links)} |`);
    expect(consoleLinksMarkdown(links)).toBe(
      `[instance refresh](${links.refresh}) · [Auto Scaling group](${links.group}) · [target group](${links.targetGroups[0] ?? ''})`,
    );
    expect(rolloutSummary(RESULT)).not.toContain('AWS console');
  });
});
