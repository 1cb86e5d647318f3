/** Certificates made at test time: a CA, and leaves with any validity window and host names. */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface CertificateBundle {
  readonly cert: string;
  readonly key: string;
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

async function toPem(keys: CryptoKeyPair, certificate: x509.X509Certificate): Promise<CertificateBundle> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: certificate.toString('pem'), key, certificate, keys };
}

let serial = 1;

export async function makeCa(name = 'prismwatch test CA'): Promise<CertificateBundle> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: String(serial++).padStart(2, '0'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return toPem(keys, certificate);
}

export interface LeafOptions {
  readonly hosts?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Signed by this CA; self-signed when absent. */
  readonly ca?: CertificateBundle;
  /** A client certificate (extended key usage clientAuth) instead of a server one. */
  readonly client?: boolean;
}

export async function makeLeaf(options: LeafOptions = {}): Promise<CertificateBundle> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = hosts.map((host) =>
    /^[\d.]+$|:/.test(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host },
  );
  const common = {
    serialNumber: String(serial++).padStart(2, '0'),
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 90 * DAY),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.SubjectAlternativeNameExtension(names),
      new x509.ExtendedKeyUsageExtension([
        options.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
      ]),
    ],
  };
  const certificate = options.ca
    ? await x509.X509CertificateGenerator.create({
        ...common,
        subject: `CN=${hosts[0]}`,
        issuer: options.ca.certificate.subject,
        publicKey: keys.publicKey,
        signingKey: options.ca.keys.privateKey,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: `CN=${hosts[0]}`, keys });
  return toPem(keys, certificate);
}

export const days = (n: number) => new Date(Date.now() + n * DAY);

/** Writes a CA certificate to a temporary PEM file, as an operator's `ca_file` would be. */
export function writeCaFile(ca: CertificateBundle): string {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-ca-'));
  const file = join(dir, 'ca.pem');
  writeFileSync(file, ca.cert);
  return file;
}

/** Writes a certificate and its key to temporary files, as `cert_file` and `key_file` take them. */
export function writeKeyPair(bundle: CertificateBundle): { certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-cert-'));
  writeFileSync(join(dir, 'cert.pem'), bundle.cert);
  writeFileSync(join(dir, 'key.pem'), bundle.key);
  return { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}
