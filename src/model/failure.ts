/**
 * Probe failure codes. Everything a target can do wrong maps to one of them; the catalogue is
 * closed so that `prismwatch_probe_runs_total{failure}` stays bounded. Codes are never renamed or
 * reused for another meaning: dashboards and alert rules depend on them.
 * The codes here are shared by every kind (network, HTTP, prismwatch itself). A kind's own codes
 * live in its folder: it lists them in its definition (`failureCodes`) and adds them to
 * `KindFailureCodes` by declaration merging; probers/index.ts puts the catalogue together.
 */
export const SHARED_FAILURE_CODES = [
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
  'redirect_invalid', // a redirect to a Location that is not http(s) (file:, data:, ftp:…) or cannot be parsed
  'fd_exhausted', // prismwatch ran out of file descriptors (EMFILE/ENFILE): a fact about the host, not the target
] as const;

/** A kind's own codes, each as `code: true`, added from the kind's folder by declaration merging. */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging from probers/<kind>/
export interface KindFailureCodes {}

export type FailureCode = (typeof SHARED_FAILURE_CODES)[number] | keyof KindFailureCodes;

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
