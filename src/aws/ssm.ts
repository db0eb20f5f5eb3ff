/** Loaded on the client's first call (see onFirstUse): by name, so the bundle keeps only the client. */
export { SSMClient } from '@aws-sdk/client-ssm';
