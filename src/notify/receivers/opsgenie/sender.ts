/**
 * Opsgenie: POST /v2/alerts to create (message ≤ 130 characters, description ≤ 15,000, alias the
 * group's), POST /v2/alerts/<alias>/close?identifierType=alias to close, and
 * /v2/alerts/<alias>/acknowledge?identifierType=alias for an acknowledgement made in prismwatch
 * (one made in Opsgenie does not flow back). Auth is
 * `Authorization: GenieKey <key>`. 202 is accepted; 429 and 5xx are retried; 401, 403 and 422
 * are final, explained by the answer's `message`.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, vendorWords } from '../json-post.js';
import { groupDigest } from '../receiver-options.js';
import type { OpsgenieIntegration } from './index.js';

const MESSAGE_CHARS = 130;
const DESCRIPTION_CHARS = 15_000;

function priorityOf(notification: Notification, fixed: OpsgenieIntegration['priority']) {
  if (fixed) return fixed;
  return notification.commonLabels.severity === 'critical' ? 'P1' : 'P3';
}

/** The request for this notification: create while firing, close by alias once resolved. */
export function opsgenieRequest(notification: Notification, integration: OpsgenieIntegration) {
  const alias = groupDigest(notification.groupKey);
  if (notification.reason === 'acknowledged') {
    const ack = notification.alerts.find((alert) => alert.acknowledged)?.acknowledged;
    return {
      url: `${integration.apiUrl}v2/alerts/${alias}/acknowledge?identifierType=alias`,
      body: {
        source: integration.source,
        ...(ack ? { user: ack.by } : {}),
        note: `Acknowledged in prismwatch${ack ? ` by ${ack.by}${ack.comment ? `: ${ack.comment}` : ''}` : ''}`,
      },
    };
  }
  if (notification.status === 'resolved')
    return {
      url: `${integration.apiUrl}v2/alerts/${alias}/close?identifierType=alias`,
      body: { source: integration.source, note: 'Resolved in prismwatch' },
    };
  return {
    url: `${integration.apiUrl}v2/alerts`,
    body: {
      message: cutChars(subjectOf(notification), MESSAGE_CHARS),
      alias,
      description: fitText(notification, DESCRIPTION_CHARS),
      source: integration.source,
      priority: priorityOf(notification, integration.priority),
      details: { ...notification.commonLabels, status_url: notification.externalURL },
      ...(integration.responders.length > 0 ? { responders: integration.responders } : {}),
      ...(integration.tags.length > 0 ? { tags: integration.tags } : {}),
    },
  };
}

export class OpsgenieSender {
  private readonly poster: Poster;

  constructor(private readonly integration: OpsgenieIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const { url, body } = opsgenieRequest(notification, this.integration);
    const answer = await this.poster.post(
      url,
      JSON.stringify(body),
      { authorization: `GenieKey ${this.integration.apiKey}` },
      now,
    );
    failIfRejected(
      answer,
      ({ text }) => `Opsgenie rejected the request: ${explain(text, [this.integration.apiKey])}`,
    );
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}

function explain(text: string, secrets: readonly string[]): string {
  try {
    return vendorWords(String((JSON.parse(text) as { message?: unknown }).message ?? text), secrets);
  } catch {
    return vendorWords(text, secrets) || 'no explanation';
  }
}
