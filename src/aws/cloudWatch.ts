/** Loaded on the client's first call (see onFirstUse): by name, so the bundle keeps only the client. */
export { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
