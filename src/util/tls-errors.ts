/**
 * Whether a Node or undici error code is a TLS failure: handshake, certificate or protocol. One
 * definition for probes (a tls_error) and notification delivery (reason "tls").
 */
const CERTIFICATE_CODE = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/;

export function isTlsErrorCode(code: string): boolean {
  return (
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    CERTIFICATE_CODE.test(code)
  );
}
