/**
 * One notification: what a group of alerts looks like to one integration at one flush. Stored in
 * the outbox as JSON (never with receiver URLs or secrets), rendered by each integration at send
 * time. The fields follow Alertmanager's webhook payload so its consumers work unchanged.
 */
import { createHash } from 'node:crypto';

export type NotificationReason = 'first' | 'new_alerts' | 'resolved' | 'repeat';

export interface NotifiedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339; Alertmanager's zero time for firing alerts. */
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
  /** The signal's value when the notification was made, and the rule's threshold. */
  readonly value: number;
  readonly threshold?: string;
  /** RFC 3339: when the alert started firing. */
  readonly firedAt?: string;
}

export interface Notification {
  readonly receiver: string;
  readonly integration: string;
  readonly groupKey: string;
  readonly status: 'firing' | 'resolved';
  readonly reason: NotificationReason;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly grafanaURL?: string;
  readonly alerts: readonly NotifiedAlert[];
  /** Same for every attempt of this notification; receivers can drop repeats of it. */
  readonly idempotencyKey: string;
  /** RFC 3339: when it was queued. */
  readonly createdAt: string;
}

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
}): string {
  const identities = parts.alerts.map((alert) => `${alert.fingerprint}@${alert.startsAt}/${alert.endsAt}`);
  return createHash('sha256')
    .update(JSON.stringify([parts.groupKey, parts.status, identities.sort(), parts.repeatSeq]))
    .digest('hex')
    .slice(0, 32);
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
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      generatorURL: alert.generatorURL,
      fingerprint: alert.fingerprint,
    })),
    notificationReason: notification.reason,
    idempotencyKey: notification.idempotencyKey,
  };
}
