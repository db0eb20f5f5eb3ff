/**
 * The ELB call the fleet makes, in a module of its own so that importing it on first use loads this
 * command alone: a dynamic import of the SDK package itself would bundle all of ELB.
 */
export { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
