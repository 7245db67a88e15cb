// A throwaway certificate authority and a broker certificate for 127.0.0.1, made with the
// openssl command line: PEM files for the client (kafka.ssl.ca) and a PKCS#12 keystore for
// the broker (Java reads it without extra tooling; a PEM keystore would need an encrypted
// PKCS#8 key, which Java's decoders support only for some cipher choices).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** PEM of the CA that signed the broker certificate: what the client trusts. */
  caPem: string;
  /** PEM of the broker certificate (SAN IP:127.0.0.1, DNS:localhost). */
  brokerCertPem: string;
  /** PKCS#12 keystore with the broker key, certificate and CA. */
  brokerKeystore: string;
  brokerKeystorePassword: string;
  /** PEM of a second, unrelated CA: a client trusting only it must refuse the broker. */
  otherCaPem: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function selfSignedCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(dir, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=egress-watch test ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { cert, key };
}

/** Writes the CA, the broker key and certificate and the keystore into dir (a fresh temp folder). */
export function makeTestCertificates(dir: string): TestCertificates {
  const ca = selfSignedCa(dir, 'ca');
  const other = selfSignedCa(dir, 'other-ca');
  const brokerKey = join(dir, 'broker.key');
  const csr = join(dir, 'broker.csr');
  const brokerCert = join(dir, 'broker.pem');
  const extensions = join(dir, 'broker.ext');
  writeFileSync(
    extensions,
    ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', ''].join('\n'),
  );
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', brokerKey, '-out', csr, '-subj', '/CN=localhost']);
  openssl(dir, [
    'x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
    '-out', brokerCert, '-days', '2', '-extfile', extensions,
  ]);
  const brokerKeystore = join(dir, 'broker.p12');
  const brokerKeystorePassword = randomBytes(12).toString('hex');
  openssl(dir, [
    'pkcs12', '-export', '-in', brokerCert, '-inkey', brokerKey, '-certfile', ca.cert, '-name', 'broker',
    '-out', brokerKeystore, '-passout', `pass:${brokerKeystorePassword}`,
  ]);
  return { caPem: ca.cert, brokerCertPem: brokerCert, brokerKeystore, brokerKeystorePassword, otherCaPem: other.cert };
}
