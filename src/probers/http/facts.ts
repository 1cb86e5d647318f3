/** The `http` facts section: the final response of an HTTP probe, and what is shown of it. */
import { PHASES } from '../../model/failure.js';
import { formatValue } from '../../util/exposition.js';
import { defineFacts } from '../definition.js';
import { gauge } from '../families.js';

export interface HttpFacts {
  readonly statusCode: number;
  readonly httpVersion: string;
  readonly contentLength: number;
  /** Uncompressed body bytes read. */
  readonly bodyBytes: number;
  readonly redirects: number;
  readonly finalUrl: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    http?: HttpFacts;
  }
}

export const httpFacts = defineFacts({
  key: 'http',
  exportsPhases: true,
  families: [
    gauge<HttpFacts>(
      'probe_http_status_code',
      'HTTP status code of the final response (0 when none).',
      (http) => http.statusCode,
    ),
    {
      name: 'probe_http_duration_seconds',
      type: 'gauge',
      help: 'Duration of each HTTP phase of the last run, summed over redirects.',
      lines: (labels, _http, { phases }) => {
        let out = '';
        for (const phase of PHASES) {
          out += `probe_http_duration_seconds{${labels},phase="${phase}"} ${formatValue((phases[phase] ?? 0) / 1000)}\n`;
        }
        return out;
      },
    },
    gauge<HttpFacts>(
      'probe_http_content_length',
      'Content-Length of the final response (-1 when not sent).',
      (http) => http.contentLength,
    ),
    gauge<HttpFacts>(
      'probe_http_uncompressed_body_length',
      'Body bytes of the final response after decompression.',
      (http) => http.bodyBytes,
    ),
    gauge<HttpFacts>('probe_http_redirects', 'Number of redirects followed.', (http) => http.redirects),
    gauge<HttpFacts>('probe_http_version', 'HTTP version of the final response (1.1).', (http) =>
      http.statusCode > 0 ? Number(http.httpVersion) : undefined,
    ),
    gauge<HttpFacts>('probe_http_ssl', 'Whether the final request used TLS (1) or not (0).', (http) =>
      http.finalUrl.startsWith('https:') ? 1 : 0,
    ),
  ],
  signals: [
    {
      name: 'status_code',
      read: (http) => http.statusCode,
      promql: (selector) => `probe_http_status_code${selector}`,
    },
  ],
  report: (http, out) => {
    // The status line comes before the phases the generic part prints: see probers/report.ts.
    out.row(
      'body',
      `${http.bodyBytes} bytes${http.contentLength >= 0 ? ` (Content-Length ${http.contentLength})` : ''}`,
    );
    out.row('redirects', `${http.redirects}${http.redirects > 0 ? ` → ${http.finalUrl}` : ''}`);
  },
  reportTail: (http, out) => {
    if (Object.keys(http.headers).length === 0) return;
    out.raw('  headers');
    for (const [name, value] of Object.entries(http.headers).sort(([a], [b]) => a.localeCompare(b))) {
      for (const item of Array.isArray(value) ? value : [value]) out.raw(`    ${name}: ${item}`);
    }
  },
  // Response headers are kept out of history: the daemon never reads them back, and at 10,000
  // probes they cost tens of megabytes.
  retain: (http) => (Object.keys(http.headers).length === 0 ? http : { ...http, headers: {} }),
  sampleStatus: (http) => http.statusCode,
  evidence: (http) => `HTTP ${http.statusCode}`,
  evidenceFirst: true,
});
