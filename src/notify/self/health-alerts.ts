/**
 * NotificationsFailing: prismwatch's own alert for an integration that has failed for longer than
 * `notifications_failing_after`. It goes through the same routes as any alert; the failing
 * integration itself is skipped (dispatcher INTEGRATION_LABEL), so the others carry the news.
 */
import { type Alert, fingerprintOf, RESOLVED_RETENTION_MS } from '../../model/alert.js';
import type { IntegrationHealth } from '../delivery/delivery.js';
import type { JournalStatus } from '../delivery/journal.js';

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

/**
 * What happens to the notifications, truly: a retried failure keeps them queued; a final
 * rejection (a bad key, a payload the vendor refuses) dropped that one, and the description used
 * to say "queued notifications are kept" about it all the same.
 */
function failingDescription(health: IntegrationHealth): string {
  return health.lastFinal
    ? `Last failure: ${health.lastReason}. The receiver rejected it as final: that notification was not queued and is not retried. Fix the integration (\`prismwatch notify test\` tries it with retries); the alert clears at the next delivery or when the integration's config changes.`
    : `Last failure: ${health.lastReason}. Queued notifications are kept and delivered when it recovers; see prismwatch_notification_outbox_depth.`;
}

export class HealthAlerts {
  private readonly alerts = new Map<string, Alert>();

  update(failing: ReadonlyMap<string, IntegrationHealth>, thresholdMs: number, now: number): Alert[] {
    for (const [integration, health] of failing) {
      const existing = this.alerts.get(integration);
      if (existing?.state === 'firing') {
        existing.value = (now - health.failingSince) / 1000;
        existing.annotations = { ...existing.annotations, description: failingDescription(health) };
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
          description: failingDescription(health),
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
