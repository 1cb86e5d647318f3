/** A probe result as text a person reads during a deployment. Pure, so it is tested without I/O. */
import { PHASES } from '../model/failure.js';
import type { ProbeResult } from '../model/probe.js';

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
  const { dns, host, rateLimit, security } = result.facts;
  if (dns) row('dns', `${dns.rcode}: ${dns.answers.length > 0 ? dns.answers.join(', ') : 'no answers'}`);
  if (host) {
    const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
    row(
      'memory',
      `${percent(host.memory.usedRatio)} used of ${(host.memory.totalBytes / 2 ** 30).toFixed(1)} GiB`,
    );
    for (const disk of host.disks)
      row(
        'disk',
        `${disk.mount}: ${percent(disk.freeRatio)} free of ${(disk.totalBytes / 2 ** 30).toFixed(1)} GiB`,
      );
    row('load', `${host.load.load1} ${host.load.load5} ${host.load.load15}`);
    row('files', `${host.files.allocated} handles allocated system-wide; prismwatch holds ${host.openFds}`);
  }
  if (rateLimit) {
    const left =
      rateLimit.remaining === undefined
        ? 'no rate-limit headers'
        : `${rateLimit.remaining} of ${rateLimit.limit ?? '?'} left`;
    const reset = rateLimit.resetSeconds === undefined ? '' : `, resets in ${rateLimit.resetSeconds}s`;
    row(
      'ratelimit',
      `${left}${reset} (${rateLimit.dialect})${rateLimit.limited ? `; 429, Retry-After ${rateLimit.retryAfterSeconds ?? '?'}s` : ''}`,
    );
    if (rateLimit.burstSent !== undefined) {
      row(
        'burst',
        `${rateLimit.burstSent} request(s)${rateLimit.burstLimitedAfter ? `, limited after ${rateLimit.burstLimitedAfter}` : ', never limited'}`,
      );
    }
  }
  if (security) {
    row(
      'grade',
      `${security.grade} (${security.score}), ${security.passed} passed, ${security.failed} failed, ${security.notEvaluated} not evaluated (Observatory v${security.algorithmVersion})`,
    );
    for (const test of security.results) {
      const mark = test.pass === undefined ? '·' : test.pass ? '✓' : '✗';
      lines.push(
        `    ${mark} ${test.test.padEnd(32)} ${test.result} (${test.modifier >= 0 ? '+' : ''}${test.modifier})`,
      );
    }
    if (security.disclosing.length > 0) row('discloses', security.disclosing.join(', '));
  }
  if (http && Object.keys(http.headers).length > 0) {
    lines.push('  headers');
    for (const [name, value] of Object.entries(http.headers).sort(([a], [b]) => a.localeCompare(b))) {
      for (const item of Array.isArray(value) ? value : [value]) lines.push(`    ${name}: ${item}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
