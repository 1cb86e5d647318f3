/**
 * The one catalogue of probe failure codes. Everything a target can do wrong maps to one of these;
 * the list is closed so that `prismwatch_probe_runs_total{failure}` stays bounded.
 * Codes are never renamed or reused for another meaning: dashboards and alert rules depend on them.
 */
export const FAILURE_CODES = [
  'dns_error', // the name did not resolve (NXDOMAIN, SERVFAIL, no address of the wanted family)
  'connect_refused', // the port answered with RST
  'connect_timeout', // no TCP handshake within the budget
  'connect_error', // other connect failures: unreachable network or host
  'tls_error', // handshake failed: bad, expired or untrusted certificate, wrong host, protocol mismatch
  'timeout', // the budget ran out after connecting; `phase` says where
  'reset', // the peer closed or reset the connection mid-exchange
  'protocol_error', // the peer spoke something that is not valid HTTP
  'status_mismatch', // a status code outside the valid ones
  'assertion_failed', // a body or header assertion did not hold
  'body_too_large', // the body (after decompression) went past max_body_bytes
  'too_many_redirects', // more redirects than max_redirects
  'internal', // a bug in prismwatch, contained; logged with its stack
  'read_error', // a host probe could not read what it measures (missing mount, unreadable /proc file)
  'auth_failed', // a database or cache rejected the credentials
  'query_error', // connected and authenticated, but the check query failed
  'threshold_exceeded', // a measured value is past the limit the probe sets (memory, disk)
  'security_policy', // security headers below min_grade, a required header missing or a forbidden one present
  'redirect_invalid', // a redirect to a Location that is not http(s) (file:, data:, ftp:…) or cannot be parsed
  'fd_exhausted', // prismwatch ran out of file descriptors (EMFILE/ENFILE): a fact about the host, not the target
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

/** Blackbox exporter's phase names, in the order a request passes through them. */
export const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];

export interface Failure {
  readonly code: FailureCode;
  /** Where it happened, when the prober knows. */
  readonly phase?: Phase;
  /** What was expected and what happened, with no secrets in it. */
  readonly message: string;
}
