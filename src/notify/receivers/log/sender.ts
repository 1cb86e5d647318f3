/** The log integration: the embedded default that needs no setup, one structured line per notification. */
import type { Logger } from 'pino';
import { alertSubject } from '../../../model/alert.js';
import type { Notification } from '../../../model/notification.js';
import type { LogIntegration } from './index.js';

export class LogSender {
  constructor(
    private readonly integration: LogIntegration,
    private readonly log: Logger,
  ) {}

  send(notification: Notification): Promise<void> {
    const level = notification.status === 'resolved' ? 'info' : this.integration.level;
    this.log[level](
      {
        receiver: notification.receiver,
        group: notification.groupKey,
        status: notification.status,
        reason: notification.reason,
        alerts: notification.alerts.map((alert) => ({
          alert: alert.labels.alertname,
          subject: alertSubject(alert.labels),
          severity: alert.labels.severity,
          status: alert.status,
          value: alert.value,
          summary: alert.annotations.summary,
        })),
        idempotency_key: notification.idempotencyKey,
      },
      notification.status === 'resolved' ? 'Notification: resolved' : 'Notification: firing',
    );
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
