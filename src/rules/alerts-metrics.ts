/**
 * prismwatch's own alert state as `prismwatch_alerts{alertname, alertstate, …}` and
 * `prismwatch_alerts_for_state`: the shape of Prometheus's ALERTS / ALERTS_FOR_STATE under names
 * of their own. They were ALERTS once, and a Prometheus evaluating `rules export` writes ALERTS
 * too: both writers landed on one series (twice the samples, ALERTS_FOR_STATE flapping between
 * two values) or, where labels differed, one alert counted twice. One writer per name: these are
 * prismwatch's, ALERTS is Prometheus's, and a dashboard counts the one that pages.
 */

import type { Alert, ShownAlert } from '../model/alert.js';
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
  let out = header(
    'prismwatch_alerts',
    'gauge',
    "prismwatch's pending and firing alerts, one series each (1).",
  );
  for (const alert of active)
    out += `prismwatch_alerts{${labelText(alert.labels, { alertstate: alert.state })}} 1\n`;
  out += header(
    'prismwatch_alerts_for_state',
    'gauge',
    "When each of prismwatch's active alerts became active, unix seconds.",
  );
  for (const alert of active)
    out += `prismwatch_alerts_for_state{${labelText(alert.labels)}} ${Math.floor(alert.activeAt / 1000)}\n`;
  return out;
}

/** The shape GET /api/v1/alerts returns: Alertmanager-like, times as RFC 3339. */
export function alertsAsJson(alerts: readonly ShownAlert[]) {
  const time = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return alerts.map((alert) => ({
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    annotations: alert.annotations,
    // Alertmanager's API says "suppressed" for the same; ours names what mutes it.
    status: {
      state: alert.state,
      ...(alert.muted ? { mutedBy: alert.muted } : {}),
      ...(alert.acknowledged
        ? {
            acknowledgedBy: {
              by: alert.acknowledged.by,
              at: time(alert.acknowledged.at),
              ...(alert.acknowledged.comment ? { comment: alert.acknowledged.comment } : {}),
            },
          }
        : {}),
    },
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
