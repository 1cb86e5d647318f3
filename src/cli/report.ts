/** A probe result as text a person reads during a deployment. Pure, so it is tested without I/O. */
import { PHASES } from '../probers/failure.js';
import type { ProbeResult } from '../probers/types.js';

function ms(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(1)} ms`;
}

export function renderProbeReport(
  target: string,
  result: ProbeResult,
  options: { now?: number } = {},
): string {
  const lines: string[] = [target];
  const row = (name: string, value: string) => lines.push(`  ${name.padEnd(10)} ${value}`);
  row('result', `${result.ok ? 'OK' : 'FAILED'} in ${ms(result.durationMs)}`);
  if (result.failure) {
    const phase = result.failure.phase ? ` [${result.failure.phase}]` : '';
    row('failure', `${result.failure.code}${phase}: ${result.failure.message}`);
  }
  const http = result.facts.http;
  const timed = PHASES.filter((phase) => result.phases[phase] !== undefined);
  if (http && http.statusCode > 0) row('status', String(http.statusCode));
  if (timed.length > 0)
    row('phases', timed.map((phase) => `${phase} ${ms(result.phases[phase])}`).join(' · '));
  if (http) {
    row(
      'body',
      `${http.bodyBytes} bytes${http.contentLength >= 0 ? ` (Content-Length ${http.contentLength})` : ''}`,
    );
    row('redirects', `${http.redirects}${http.redirects > 0 ? ` → ${http.finalUrl}` : ''}`);
  }
  const tls = result.facts.tls;
  if (tls) {
    const now = options.now ?? Date.now();
    const days = Math.floor((tls.earliestExpiry * 1000 - now) / 86_400_000);
    const expiry = new Date(tls.earliestExpiry * 1000).toISOString().slice(0, 10);
    row(
      'tls',
      `${tls.version} ${tls.cipher}; certificate ${days < 0 ? `EXPIRED ${-days} day(s) ago` : `expires ${expiry} (${days} days)`}`,
    );
    row('subject', tls.subject);
    row('issuer', tls.issuer);
  }
  if (http && Object.keys(http.headers).length > 0) {
    lines.push('  headers');
    for (const [name, value] of Object.entries(http.headers).sort(([a], [b]) => a.localeCompare(b))) {
      for (const item of Array.isArray(value) ? value : [value]) lines.push(`    ${name}: ${item}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
