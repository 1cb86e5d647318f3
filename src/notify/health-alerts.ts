/**
 * NotificationsFailing: prismwatch's own alert for an integration that has failed for longer than
 * `notifications_failing_after`. It goes through the same routes as any alert; the failing
 * integration itself is skipped (dispatcher INTEGRATION_LABEL), so the others carry the news.
 */
import { type Alert, fingerprintOf, RESOLVED_RETENTION_MS } from '../model/alert.js';
import type { IntegrationHealth } from './delivery.js';
import type { JournalStatus } from './journal.js';

const STATE_DEGRADED = 'PrismwatchStateDegraded';
const degradedLabels = { alertname: STATE_DEGRADED, severity: 'warning', probe: 'prismwatch' };

/**
 * PrismwatchStateDegraded while notification state cannot be written: delivery goes on from
 * memory, but a restart now would forget what was sent meanwhile and send it again.
 */
export function journalAlert(status: JournalStatus): Alert[] {
  if (status.degradedSince === undefined) return [];
  return [
    {
      fingerprint: fingerprintOf(degradedLabels),
      rule: STATE_DEGRADED,
      probe: 'prismwatch',
      labels: degradedLabels,
      annotations: {
        summary:
          "prismwatch cannot write its notification state (the data directory's disk is full or failing)",
        description: `${status.reason ?? 'write failed'}. Notifications are still delivered, each once, from memory (${status.pending} records waiting); they are written when the disk takes writes again. A restart before then sends again what was sent meanwhile.`,
      },
      state: 'firing',
      value: status.pending,
      activeAt: status.degradedSince,
      firedAt: status.degradedSince,
    },
  ];
}

const NOTIFICATIONS_FAILING = 'NotificationsFailing';

export class HealthAlerts {
  private readonly alerts = new Map<string, Alert>();

  update(failing: ReadonlyMap<string, IntegrationHealth>, thresholdMs: number, now: number): Alert[] {
    for (const [integration, health] of failing) {
      const existing = this.alerts.get(integration);
      if (existing?.state === 'firing') {
        existing.value = (now - health.failingSince) / 1000;
        continue;
      }
      if (now - health.failingSince < thresholdMs) continue;
      const receiver = integration.split('/')[0] ?? integration;
      const labels = {
        alertname: NOTIFICATIONS_FAILING,
        severity: 'critical',
        probe: 'prismwatch',
        receiver,
        integration,
      };
      this.alerts.set(integration, {
        fingerprint: fingerprintOf(labels),
        rule: NOTIFICATIONS_FAILING,
        probe: 'prismwatch',
        labels,
        annotations: {
          summary: `Notifications to ${integration} have failed for over ${Math.round(thresholdMs / 1000)}s`,
          description: `Last failure: ${health.lastReason}. Queued notifications are kept and delivered when it recovers; see prismwatch_notification_outbox_depth.`,
        },
        state: 'firing',
        value: (now - health.failingSince) / 1000,
        activeAt: health.failingSince,
        firedAt: now,
      });
    }
    for (const [integration, alert] of this.alerts) {
      if (alert.state === 'firing' && !failing.has(integration)) {
        alert.state = 'resolved';
        alert.resolvedAt = now;
      } else if (alert.state === 'resolved' && now - (alert.resolvedAt ?? now) >= RESOLVED_RETENTION_MS) {
        this.alerts.delete(integration);
      }
    }
    return [...this.alerts.values()];
  }
}
