/**
 * The `tls` facts section: the handshake and certificate chain, reported by every kind that speaks
 * TLS (http, tcp, tls, the databases, rate_limit), so it lives here beside the connector.
 */
import { defineFacts } from '../definition.js';
import { gauge, infoGauge } from '../families.js';

export interface TlsFacts {
  readonly version: string;
  readonly cipher: string;
  /** Epoch seconds: the soonest `notAfter` among the presented certificates. */
  readonly earliestExpiry: number;
  /** Epoch seconds: the soonest `notAfter` along the chain up to the last certificate presented. */
  readonly lastChainExpiry: number;
  readonly subject: string;
  readonly issuer: string;
  readonly authorized: boolean;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    tls?: TlsFacts;
  }
}

const DAY_MS = 86_400_000;
const finite = (seconds: number) => (Number.isFinite(seconds) ? seconds : Number.NaN);
const daysLeft = (tls: TlsFacts, now: number) => (tls.earliestExpiry * 1000 - now) / DAY_MS;

export const tlsFacts = defineFacts({
  key: 'tls',
  families: [
    gauge<TlsFacts>(
      'probe_ssl_earliest_cert_expiry',
      'Earliest expiry of the presented certificates, unix seconds.',
      (tls) => finite(tls.earliestExpiry),
    ),
    gauge<TlsFacts>(
      'probe_ssl_last_chain_expiry_timestamp_seconds',
      'Earliest expiry along the verified certificate chain, unix seconds.',
      (tls) => finite(tls.lastChainExpiry),
    ),
    infoGauge<TlsFacts>(
      'probe_tls_version_info',
      'TLS version of the last handshake, as a label.',
      'version',
      (tls) => tls.version,
    ),
    infoGauge<TlsFacts>(
      'probe_tls_cipher_info',
      'TLS cipher of the last handshake, as a label.',
      'cipher',
      (tls) => tls.cipher,
    ),
    {
      // The cert_invalid signal as a series, so `rules export` can say it (CertificateInvalid).
      name: 'prismwatch_tls_certificate_rejected',
      type: 'gauge',
      help: 'Whether the last handshake presented a certificate that was rejected (1: expired, untrusted, another host) or accepted (0).',
      lines: (labels, _tls, { failure }) =>
        `prismwatch_tls_certificate_rejected{${labels}} ${failure === 'tls_error' ? 1 : 0}\n`,
    },
  ],
  signals: [
    {
      // 1 when the handshake completed and the certificate was rejected (expired, not yet valid,
      // untrusted, for another host), 0 when accepted; no data when nothing answered (refused,
      // timeout): that is "cannot check", not "certificate invalid".
      name: 'cert_invalid',
      read: (_tls, _now, result) => (result.failure?.code === 'tls_error' ? 1 : 0),
      promql: (selector) => `prismwatch_tls_certificate_rejected${selector}`,
    },
    {
      name: 'cert_expiry_days',
      read: (tls, now) => (Number.isFinite(tls.earliestExpiry) ? daysLeft(tls, now) : undefined),
      promql: (selector) => `((probe_ssl_earliest_cert_expiry${selector} - time()) / 86400)`,
      unit: 'days',
    },
  ],
  report: (tls, out, { now }) => {
    const days = Math.floor(daysLeft(tls, now));
    const expiry = new Date(tls.earliestExpiry * 1000).toISOString().slice(0, 10);
    out.row(
      'tls',
      `${tls.version} ${tls.cipher}; certificate ${days < 0 ? `EXPIRED ${-days} day(s) ago` : `expires ${expiry} (${days} days)`}`,
    );
    out.row('subject', tls.subject);
    out.row('issuer', tls.issuer);
  },
  evidence: (tls, measures, now) => {
    if (!Number.isFinite(tls.earliestExpiry)) return undefined;
    const days = daysLeft(tls, now);
    measures.cert_days = Math.round(days);
    return `${tls.version}, certificate valid ${days.toFixed(0)} more days${tls.authorized ? '' : ' (not trusted)'}`;
  },
  statusColumn: {
    header: 'Certificate',
    position: 2,
    className: 'num',
    cell: (tls, now) => {
      if (!Number.isFinite(tls.earliestExpiry)) return undefined;
      const days = daysLeft(tls, now);
      return { html: `${Math.floor(days)} d`, warn: days < 14 };
    },
  },
});
