import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EmulatedRegion } from './region';

export interface SeededStack {
  asgName: string;
  targetGroupArn: string;
  launchTemplateId: string;
  loadBalancerDnsName: string;
  /** Launch template versions created: [the one the group runs, the release to roll to]. */
  versions: [number, number];
}

export interface SeedOptions {
  name?: string;
  desiredCapacity?: number;
  healthCheckGracePeriod?: number;
  defaultInstanceWarmup?: number;
}

const AMI = 'ami-0123456789abcdef0';

/** User-data standing in for the real template: the image digest is what changes per release. */
function userData(digest: string): string {
  return Buffer.from(
    `#!/bin/bash\ndocker run -d -p 80:8000 --restart always app@sha256:${digest}\n`,
  ).toString('base64');
}

/**
 * Seeds the emulated region the way the bundled Terraform stack would: a VPC over two AZs, an ALB
 * with a target group checking /health/, a launch template with a current and a new release, and
 * an Auto Scaling group (min 1, desired 2, max 5) on the current release with ELB health checks.
 */
export async function seedRegion(region: EmulatedRegion, options: SeedOptions = {}): Promise<SeededStack> {
  const ec2 = new EC2Client(region.clientConfig);
  const elbv2 = new ElasticLoadBalancingV2Client(region.clientConfig);
  const autoScaling = new AutoScalingClient(region.clientConfig);
  const name = options.name ?? 'demo-web';

  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  const zones = [`${region.region}a`, `${region.region}b`];
  const subnets = await Promise.all(
    zones.map((zone, index) =>
      ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${index}.0/24`, AvailabilityZone: zone }),
      ),
    ),
  );
  const subnetIds = subnets.map((subnet) => subnet.Subnet!.SubnetId!);
  const securityGroup = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: `${name}-alb`, Description: 'ALB', VpcId: vpcId }),
  );

  const template = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `${name}-lt`,
      LaunchTemplateData: { ImageId: AMI, InstanceType: 't3.micro', UserData: userData('1'.repeat(64)) },
    }),
  );
  const launchTemplateId = template.LaunchTemplate!.LaunchTemplateId!;
  const release = await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: launchTemplateId,
      LaunchTemplateData: { ImageId: AMI, InstanceType: 't3.micro', UserData: userData('2'.repeat(64)) },
    }),
  );

  const loadBalancer = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `${name}-alb`,
      Subnets: subnetIds,
      SecurityGroups: [securityGroup.GroupId!],
    }),
  );
  const targetGroup = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: `${name}-tg`,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: vpcId,
      HealthCheckPath: '/health/',
      Matcher: { HttpCode: '200' },
    }),
  );
  const targetGroupArn = targetGroup.TargetGroups![0]!.TargetGroupArn!;
  await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancer.LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );

  const asgName = `${name}-asg`;
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: asgName,
      MinSize: 1,
      DesiredCapacity: options.desiredCapacity ?? 2,
      MaxSize: 5,
      LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: '1' },
      VPCZoneIdentifier: subnetIds.join(','),
      TargetGroupARNs: [targetGroupArn],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: options.healthCheckGracePeriod ?? 60,
      ...(options.defaultInstanceWarmup === undefined
        ? {}
        : { DefaultInstanceWarmup: options.defaultInstanceWarmup }),
    }),
  );
  await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
  return {
    asgName,
    targetGroupArn,
    launchTemplateId,
    loadBalancerDnsName: loadBalancer.LoadBalancers![0]!.DNSName!,
    versions: [1, release.LaunchTemplateVersion!.VersionNumber!],
  };
}
