import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A throwaway self-signed certificate for `subject` (an RSA key, no passphrase, valid two days),
 * written to `dir` as `<name>.key` and `<name>.crt`; `extensions` are openssl `-addext` values.
 */
export function selfSignedCertificate(
  dir: string,
  name: string,
  subject: string,
  extensions: string[] = [],
): { keyFile: string; certFile: string } {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  const addext = extensions.flatMap((extension) => ['-addext', extension]);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', subject]
      .concat(addext)
      .concat(['-keyout', keyFile, '-out', certFile]),
    { stdio: 'pipe' },
  );
  return { keyFile, certFile };
}
