/** Pure getters over a TLS socket's peer certificate chain (blackbox prober/tls.go, in spirit). */
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { TlsFacts } from './tls-section.js';

/** The presented chain, leaf first, stopping at a self-signed root or a repeat. */
function certificateChain(leaf: DetailedPeerCertificate): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = leaf;
  while (current?.fingerprint256 && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(current);
    current = current.issuerCertificate;
  }
  return chain;
}

function expirySeconds(cert: PeerCertificate): number {
  return Math.floor(Date.parse(cert.valid_to) / 1000);
}

function distinguishedName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}

export function readTlsFacts(socket: TLSSocket): TlsFacts | undefined {
  const cipher = socket.getCipher();
  return certificateFacts(socket.getPeerCertificate(true), {
    version: socket.getProtocol() ?? 'unknown',
    cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
    authorized: socket.authorized,
  });
}

/** The facts of a presented chain (leaf first), for clients that hand over only the certificate (gRPC). */
export function certificateFacts(
  leaf: DetailedPeerCertificate | PeerCertificate | undefined,
  session: { version: string; cipher: string; authorized: boolean },
): TlsFacts | undefined {
  if (!leaf || Object.keys(leaf).length === 0) return undefined;
  const chain = certificateChain(leaf as DetailedPeerCertificate);
  const expiries = chain.map(expirySeconds).filter(Number.isFinite);
  const earliest = expiries.length > 0 ? Math.min(...expiries) : Number.NaN;
  return {
    ...session,
    earliestExpiry: earliest,
    lastChainExpiry: earliest,
    subject: distinguishedName(leaf.subject),
    issuer: distinguishedName(leaf.issuer),
  };
}

/** Node's verification codes, in the words an operator reads at 3 a.m. */
const AUTHORIZATION_MESSAGES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate chain ends in an untrusted self-signed root',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate is not signed by a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  CERT_REVOKED: 'certificate has been revoked',
};

export function describeAuthorizationError(code: string | Error | undefined): string {
  const key = typeof code === 'string' ? code : (code as { code?: string } | undefined)?.code;
  if (key && AUTHORIZATION_MESSAGES[key]) return `${AUTHORIZATION_MESSAGES[key]} (${key})`;
  return `certificate rejected (${key ?? String(code)})`;
}
