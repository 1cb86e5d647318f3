/**
 * One notification: what a group of alerts looks like to one integration at one flush. Stored in
 * the outbox as JSON (never with receiver URLs or secrets), rendered by each integration at send
 * time. The fields follow Alertmanager's webhook payload so its consumers work unchanged.
 */

/**
 * Why it was sent: the group's first firing, alerts new to this integration, resolutions, a
 * reminder, an escalation (this integration is an escalation step's and the alerts were not
 * acknowledged in time), or an acknowledgement of alerts it was paged about.
 */
export type NotificationReason =
  | 'first'
  | 'new_alerts'
  | 'resolved'
  | 'repeat'
  | 'escalated'
  | 'acknowledged';

/** Who took an alert on, and when (RFC 3339). */
export interface NotifiedAcknowledgement {
  readonly by: string;
  readonly at: string;
  readonly comment?: string;
}

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
  /** What the alert rests on, in words ("7 of 98 runs failed (7.1%) over 5m"). */
  readonly evidence?: string;
  /** The probe's failure behind it: its code and what happened. */
  readonly failure?: {
    readonly code: string;
    readonly message: string;
    readonly traceId?: string;
    readonly path?: string;
  };
  /** RFC 3339: the incident's first failed run, which is before it fired. */
  readonly firstFailureAt?: string;
  /** Resolved alerts: how long the incident lasted, from its first failure (or its start), e.g. "4m 30s". */
  readonly duration?: string;
  /** The probe on prismwatch's status page. */
  readonly probeURL?: string;
  /** Firing and not yet acknowledged: the signed link that acknowledges it (notify/ack/). */
  readonly acknowledgeURL?: string;
  /** Acknowledged: by whom and when. */
  readonly acknowledged?: NotifiedAcknowledgement;
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
