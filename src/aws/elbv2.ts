/** Loaded on the client's first call (see onFirstUse): by name, so the bundle keeps only the client. */
export { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
