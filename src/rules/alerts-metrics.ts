/**
 * `ALERTS{alertname, alertstate, …}` and `ALERTS_FOR_STATE` as Prometheus exports them, so
 * dashboards and recording rules written for Prometheus alerts work on prismwatch's.
 */

import type { Alert } from '../model/alert.js';
import { escapeLabelValue, header } from '../util/exposition.js';

function labelText(labels: Readonly<Record<string, string>>, extra: Record<string, string> = {}): string {
  const all = { ...labels, ...extra };
  return Object.keys(all)
    .sort()
    .map((key) => `${key}="${escapeLabelValue(all[key]!)}"`)
    .join(',');
}

export function renderAlertSeries(alerts: readonly Alert[]): string {
  const active = alerts.filter((alert) => alert.state !== 'resolved');
  let out = header('ALERTS', 'gauge', 'Pending and firing alerts, one series each (1).');
  for (const alert of active) out += `ALERTS{${labelText(alert.labels, { alertstate: alert.state })}} 1\n`;
  out += header('ALERTS_FOR_STATE', 'gauge', 'When each active alert became active, unix seconds.');
  for (const alert of active)
    out += `ALERTS_FOR_STATE{${labelText(alert.labels)}} ${Math.floor(alert.activeAt / 1000)}\n`;
  return out;
}

/** The shape GET /api/v1/alerts returns: Alertmanager-like, times as RFC 3339. */
export function alertsAsJson(alerts: readonly Alert[]) {
  const time = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return alerts.map((alert) => ({
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    annotations: alert.annotations,
    status: { state: alert.state },
    value: alert.value,
    ...(alert.threshold ? { threshold: alert.threshold } : {}),
    ...(alert.evidence ? { evidence: alert.evidence } : {}),
    ...(alert.failure ? { failure: alert.failure } : {}),
    ...(alert.firstFailureAt !== undefined ? { firstFailureAt: time(alert.firstFailureAt) } : {}),
    activeAt: time(alert.activeAt),
    startsAt: time(alert.firedAt),
    endsAt: time(alert.resolvedAt),
  }));
}
