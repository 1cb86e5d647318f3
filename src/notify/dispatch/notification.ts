/** Helpers over notifications (model/notification.ts): common labels, idempotency keys, the webhook payload. */
import { createHash } from 'node:crypto';
import type { Notification, NotifiedAlert } from '../../model/notification.js';

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Labels (or annotations) every alert shares with the same value. */
export function common(maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  if (maps.length === 0) return {};
  const result: Record<string, string> = { ...maps[0] };
  for (const map of maps.slice(1)) {
    for (const key of Object.keys(result)) if (map[key] !== result[key]) delete result[key];
  }
  return result;
}

/**
 * group key + status + each alert's fingerprint and its start (and end, once resolved) + the
 * repeat number for reminders: a retry or a re-send after a crash carries the same key (it is
 * stored with the notification), a different notification never does. The start matters: an alert
 * that resolves and fires again has the same fingerprint, and a receiver that dedups on the key
 * would otherwise drop the second firing.
 */
export function idempotencyKey(parts: {
  groupKey: string;
  status: string;
  alerts: ReadonlyArray<Pick<NotifiedAlert, 'fingerprint' | 'startsAt' | 'endsAt'>>;
  repeatSeq: number;
  /** Sets apart a notice about the same alerts that is not the page itself (an acknowledgement). */
  variant?: string;
}): string {
  const identities = parts.alerts.map((alert) => `${alert.fingerprint}@${alert.startsAt}/${alert.endsAt}`);
  const key = [parts.groupKey, parts.status, identities.sort(), parts.repeatSeq];
  return createHash('sha256')
    .update(JSON.stringify(parts.variant === undefined ? key : [...key, parts.variant]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Annotations with the evidence added as `evidence` and `reason` (the failure's code and text),
 * unless the rule set those itself: receivers that only read annotations (Alertmanager, chat
 * templates) still learn why.
 */
export function annotationsWithEvidence(
  annotations: Readonly<Record<string, string>>,
  alert: {
    readonly evidence?: string;
    readonly failure?: { readonly code: string; readonly message: string };
  },
): Record<string, string> {
  return {
    ...annotations,
    ...(alert.evidence && annotations.evidence === undefined ? { evidence: alert.evidence } : {}),
    ...(alert.failure && annotations.reason === undefined
      ? { reason: `${alert.failure.code}: ${alert.failure.message}` }
      : {}),
  };
}

/** Alertmanager webhook payload, version 4, plus prismwatch's own fields (extra keys are ignored by consumers). */
export function webhookPayload(notification: Notification, maxAlerts: number) {
  const alerts = maxAlerts > 0 ? notification.alerts.slice(0, maxAlerts) : notification.alerts;
  return {
    version: '4',
    groupKey: notification.groupKey,
    truncatedAlerts: notification.alerts.length - alerts.length,
    status: notification.status,
    receiver: notification.receiver,
    groupLabels: notification.groupLabels,
    commonLabels: notification.commonLabels,
    commonAnnotations: notification.commonAnnotations,
    externalURL: notification.externalURL,
    alerts: alerts.map((alert) => ({
      status: alert.status,
      labels: alert.labels,
      annotations: annotationsWithEvidence(alert.annotations, alert),
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      generatorURL: alert.generatorURL,
      fingerprint: alert.fingerprint,
      // prismwatch's own fields: the same evidence, structured.
      value: alert.value,
      ...(alert.threshold ? { threshold: alert.threshold } : {}),
      ...(alert.evidence ? { evidence: alert.evidence } : {}),
      ...(alert.failure ? { failure: alert.failure } : {}),
      ...(alert.firstFailureAt ? { firstFailureAt: alert.firstFailureAt } : {}),
      ...(alert.duration ? { duration: alert.duration } : {}),
      ...(alert.probeURL ? { probeURL: alert.probeURL } : {}),
      ...(alert.acknowledgeURL ? { acknowledgeURL: alert.acknowledgeURL } : {}),
      ...(alert.acknowledged ? { acknowledged: alert.acknowledged } : {}),
    })),
    notificationReason: notification.reason,
    idempotencyKey: notification.idempotencyKey,
  };
}
