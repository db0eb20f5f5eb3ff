/**
 * Backend settings that are credentials: their values are masked in the log and never echoed with
 * the `terraform init` command line. The names cover the backends Terraform ships (s3, azurerm,
 * gcs, http, pg, consul, cos, oss, kubernetes, remote/cloud) and any key that calls itself a secret.
 */
const SENSITIVE_BACKEND_KEY =
  /(secret|token|password|passwd|credential|access_key|account_key|sas|private_key|client_certificate|sse_customer_key|encryption_key|conn_str|auth|signature)/i;

export function isSensitiveBackendKey(key: string): boolean {
  return SENSITIVE_BACKEND_KEY.test(key);
}
