/**
 * A registry whose TLS certificate the runner does not trust (a private CA, a self-signed
 * certificate): told apart from other failures so the error says how to trust it. The action's own
 * registry requests (Node's fetch) trust what NODE_EXTRA_CA_CERTS adds; docker trusts a registry's
 * CA from certs.d (Docker docs, "Verify repository client with certificates"; podman reads
 * /etc/containers/certs.d, containers-certs.d(5)).
 */
import { causesInAppOutput } from '../appOutput';

/** Node's TLS error codes for a certificate chain it cannot verify against a trusted CA. */
const UNTRUSTED_CHAIN_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Whether a failed fetch failed because the server's certificate chain is not trusted. */
export function isUntrustedCertificateError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNTRUSTED_CHAIN_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Whether docker's own words (login, push, pull) say the registry's certificate is not trusted. */
export function saysUntrustedCertificate(output: string): boolean {
  return causesInAppOutput(output.split('\n')).some(({ cause }) => cause === 'certificate');
}

/** How to trust a registry's private CA, for the action and for docker. */
export function registryTrustHint(registry: string): string {
  return `The registry's TLS certificate is not trusted (a private or self-signed CA). Give the step the CA's PEM file: NODE_EXTRA_CA_CERTS=/path/to/ca.pem in its env (the action's own registry requests), and the same file as /etc/docker/certs.d/${registry}/ca.crt (podman: /etc/containers/certs.d/${registry}/ca.crt) for docker login, push and pull; see "A registry with a private CA" in the README.`;
}
