/**
 * The ELB calls that find the load balancer's URL for the smoke check, in a module of their own so
 * that importing it on first use loads these commands alone, not all of ELB's SDK.
 */
export {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
