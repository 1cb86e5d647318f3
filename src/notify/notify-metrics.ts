/** Delivery metrics, in prismwatch's own registry next to the scheduler's. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class NotifyMetrics {
  readonly sent: Counter<'receiver' | 'integration'>;
  readonly failed: Counter<'receiver' | 'integration' | 'reason'>;
  readonly outboxDepth: Gauge<'integration'>;
  readonly outboxOldest: Gauge<'integration'>;
  readonly latency: Histogram<'integration'>;
  readonly flushFailures: Counter;
  readonly stateDegraded: Gauge;
  readonly journalPending: Gauge;
  readonly alertmanagerSent: Counter<'url_index' | 'receiver'>;
  readonly alertmanagerFailed: Counter<'url_index' | 'receiver'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({
      name: 'prismwatch_notifications_total',
      help: 'Notifications accepted by a receiver integration.',
      labelNames: ['receiver', 'integration'],
      registers,
    });
    this.failed = new Counter({
      name: 'prismwatch_notifications_failed_total',
      help: 'Failed delivery attempts by reason (each retry counts).',
      labelNames: ['receiver', 'integration', 'reason'],
      registers,
    });
    this.outboxDepth = new Gauge({
      name: 'prismwatch_notification_outbox_depth',
      help: 'Notifications queued and not yet accepted, by integration.',
      labelNames: ['integration'],
      registers,
    });
    this.outboxOldest = new Gauge({
      name: 'prismwatch_notification_outbox_oldest_age_seconds',
      help: 'Age of the oldest queued notification, by integration (0 when none).',
      labelNames: ['integration'],
      registers,
    });
    this.latency = new Histogram({
      name: 'prismwatch_notification_delivery_seconds',
      help: 'From queued to accepted, retries included.',
      labelNames: ['integration'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.flushFailures = new Counter({
      name: 'prismwatch_notification_flush_failures_total',
      help: 'Group flushes that could not be committed (for example a full disk); retried at the next flush.',
      registers,
    });
    this.stateDegraded = new Gauge({
      name: 'prismwatch_notification_state_degraded',
      help: 'Whether notification state cannot be written (disk full or failing): 1 while delivery runs from memory.',
      registers,
    });
    this.journalPending = new Gauge({
      name: 'prismwatch_notification_journal_records',
      help: 'Notification records kept in memory until the disk takes writes again (0 when healthy).',
      registers,
    });
    this.alertmanagerSent = new Counter({
      name: 'prismwatch_alertmanager_alerts_sent_total',
      help: 'Alerts posted to Alertmanager instances.',
      labelNames: ['receiver', 'url_index'],
      registers,
    });
    this.alertmanagerFailed = new Counter({
      name: 'prismwatch_alertmanager_post_failures_total',
      help: 'Failed posts of alerts to Alertmanager instances (the next resend covers them).',
      labelNames: ['receiver', 'url_index'],
      registers,
    });
  }
}
