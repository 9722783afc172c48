// Test certificates made with openssl: P-256 keys valid for a day, self-signed or issued by a
// CA made the same way. `name` gives the files `name.pem` and `name-key.pem` in `dir`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface CertificateOptions {
  /** The subject's common name (default: the name). */
  cn?: string;
  /** openssl `-addext` values, such as `subjectAltName=IP:127.0.0.1`. */
  extensions?: readonly string[];
  /** The name of a certificate in `dir` that issues this one (default: self-signed). */
  issuer?: string;
}

export function makeCertificate(
  dir: string,
  name: string,
  { cn = name, extensions = [], issuer }: CertificateOptions = {},
): void {
  const file = (n: string) => join(dir, n);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      ...extensions.flatMap((extension) => ['-addext', extension]),
      ...(issuer ? ['-CA', file(`${issuer}.pem`), '-CAkey', file(`${issuer}-key.pem`)] : []),
      '-keyout',
      file(`${name}-key.pem`),
      '-out',
      file(`${name}.pem`),
    ],
    { stdio: 'ignore' },
  );
}
