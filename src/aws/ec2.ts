/** Loaded on the client's first call (see onFirstUse): by name, so the bundle keeps only the client. */
export { EC2Client } from '@aws-sdk/client-ec2';
