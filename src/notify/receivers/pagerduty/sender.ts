/**
 * PagerDuty Events API v2. The dedup_key is the sha256 of the group key, as Alertmanager's, so
 * retries, repeats and the resolve all address one incident. The summary is the title (≤ 1,024
 * characters); custom_details carry the evidence text and each alert's figures, the event kept
 * under PagerDuty's 512 KB. An acknowledgement in prismwatch is sent as `acknowledge` for the same
 * dedup_key (one made in PagerDuty does not flow back: prismwatch does not poll it). 202 is accepted; 400 is an invalid event, final, explained in
 * {status, message, errors}; 429 and 5xx are retried.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, vendorWords } from '../json-post.js';
import { groupDigest } from '../receiver-options.js';
import type { PagerDutyIntegration } from './index.js';

const SUMMARY_CHARS = 1024;
/** Of the 512 KB an event may hold, what the details text may take. */
const DETAILS_CHARS = 16_000;
const MAX_ALERTS_IN_DETAILS = 50;

function severityOf(notification: Notification, fixed: PagerDutyIntegration['severity']) {
  if (fixed) return fixed;
  const ours = notification.commonLabels.severity;
  return ours === 'critical' || ours === 'warning' || ours === 'info' ? ours : 'error';
}

export function pagerdutyEvent(notification: Notification, integration: PagerDutyIntegration) {
  const base = {
    routing_key: integration.routingKey,
    dedup_key: groupDigest(notification.groupKey),
  };
  if (notification.status === 'resolved') return { ...base, event_action: 'resolve' };
  // prismwatch's acknowledgement, passed on: PagerDuty stops its own escalation for the incident.
  if (notification.reason === 'acknowledged') return { ...base, event_action: 'acknowledge' };
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  return {
    ...base,
    event_action: 'trigger',
    client: integration.client,
    client_url: notification.externalURL,
    payload: {
      summary: cutChars(subjectOf(notification), SUMMARY_CHARS),
      source: integration.source,
      severity: severityOf(notification, integration.severity),
      ...(notification.commonLabels.alertname ? { class: notification.commonLabels.alertname } : {}),
      custom_details: {
        firing: fitText(notification, DETAILS_CHARS),
        num_firing: firing.length,
        num_resolved: notification.alerts.length - firing.length,
        alerts: notification.alerts.slice(0, MAX_ALERTS_IN_DETAILS).map((alert) => ({
          status: alert.status,
          labels: alert.labels,
          value: alert.value,
          ...(alert.threshold ? { threshold: alert.threshold } : {}),
          ...(alert.evidence ? { evidence: alert.evidence } : {}),
          ...(alert.failure ? { failure: `${alert.failure.code}: ${alert.failure.message}` } : {}),
          since: alert.firstFailureAt ?? alert.startsAt,
        })),
      },
    },
    links: [
      { href: notification.externalURL, text: 'prismwatch status' },
      ...(notification.grafanaURL ? [{ href: notification.grafanaURL, text: 'Grafana' }] : []),
    ],
  };
}

export class PagerDutySender {
  private readonly poster: Poster;

  constructor(private readonly integration: PagerDutyIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(pagerdutyEvent(notification, this.integration));
    const answer = await this.poster.post(this.integration.url, body, {}, now);
    failIfRejected(
      answer,
      ({ text }) => `PagerDuty rejected the event: ${explain(text, [this.integration.routingKey])}`,
    );
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}

/** PagerDuty's {status, message, errors[]} as one line. */
function explain(text: string, secrets: readonly string[]): string {
  try {
    const reply = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(reply.errors) ? reply.errors.map(String).join('; ') : '';
    return vendorWords(`${String(reply.message ?? 'invalid event')}${errors ? `: ${errors}` : ''}`, secrets);
  } catch {
    return vendorWords(text, secrets) || 'no explanation';
  }
}
