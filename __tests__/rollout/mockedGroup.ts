/**
 * The describe answers of the aws-sdk-client-mock rollout suites (they pin exact AWS answers and
 * errors that moto and the harness cannot be made to give at a chosen moment).
 */
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

/** Group `web` on launch template lt-1 `version`, its two InService instances on `instanceVersion`. */
export function groupOn(version: string, instanceVersion = version) {
  return {
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'web',
        DesiredCapacity: 2,
        MinSize: 1,
        MaxSize: 5,
        DefaultCooldown: 300,
        AvailabilityZones: ['eu-west-1a'],
        HealthCheckType: 'ELB',
        CreatedTime: new Date(),
        LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: version },
        TargetGroupARNs: [TG],
        Instances: ['i-1', 'i-2'].map((id) => ({
          InstanceId: id,
          LifecycleState: 'InService' as const,
          HealthStatus: 'Healthy',
          AvailabilityZone: 'eu-west-1a',
          ProtectedFromScaleIn: false,
          LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: instanceVersion },
        })),
      },
    ],
  };
}
