/**
 * The EC2 calls the fleet makes, in a module of their own so that importing it on first use loads
 * these commands alone: a dynamic import of the SDK package itself would bundle all of EC2.
 */
export { DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
