/** Links into the AWS console for what a rollout touches: where a person looks next at 2 a.m. */

export interface ConsoleLinks {
  group: string;
  /** The group's instance refresh tab: the current and past refreshes, with their status reasons. */
  refresh: string;
  targetGroups: string[];
}

/** The EC2 console's base URL in the region's partition (China and GovCloud have their own). */
function ec2Console(region: string): string {
  const host = region.startsWith('cn-')
    ? `${region}.console.amazonaws.cn`
    : region.startsWith('us-gov-')
      ? 'console.amazonaws-us-gov.com'
      : `${region}.console.aws.amazon.com`;
  return `https://${host}/ec2/home?region=${region}`;
}

export function consoleLinks(region: string, asgName: string, targetGroupArns: string[]): ConsoleLinks {
  const base = ec2Console(region);
  const group = `${base}#AutoScalingGroupDetails:id=${encodeURIComponent(asgName)};view=details`;
  return {
    group,
    refresh: `${base}#AutoScalingGroupDetails:id=${encodeURIComponent(asgName)};view=instanceRefresh`,
    targetGroups: targetGroupArns.map(
      (arn) => `${base}#TargetGroup:targetGroupArn=${encodeURIComponent(arn)}`,
    ),
  };
}

/** One log line per link, so each is a clickable URL in the runner's log. */
export function consoleLinkLines(links: ConsoleLinks): string[] {
  return [
    `AWS console: instance refresh ${links.refresh}`,
    `AWS console: Auto Scaling group ${links.group}`,
    ...links.targetGroups.map((url) => `AWS console: target group ${url}`),
  ];
}

/** Markdown links for the job summary. */
export function consoleLinksMarkdown(links: ConsoleLinks): string {
  return [
    `[instance refresh](${links.refresh})`,
    `[Auto Scaling group](${links.group})`,
    ...links.targetGroups.map(
      (url, i) => `[target group${links.targetGroups.length > 1 ? ` ${i + 1}` : ''}](${url})`,
    ),
  ].join(' · ');
}
