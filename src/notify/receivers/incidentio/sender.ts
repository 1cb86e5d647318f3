/**
 * incident.io alert events: `POST /v2/alert_events/http/<source>` with the source's token as a
 * bearer token, JSON `{title, description, status: firing|resolved, deduplication_key,
 * source_url, metadata}`. One deduplication key per alert group (the sha256 of the group key, as
 * PagerDuty's dedup_key), so the firing, repeats and the resolution address one alert there.
 * 202 is accepted; 429 and 5xx are retried; 400/422 (validation) and 401 are final, in the
 * first error's message.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import { groupDigest } from '../receiver-options.js';
import type { IncidentIoIntegration } from './index.js';

const TITLE_CHARS = 255;
const DESCRIPTION_CHARS = 10_000;

export function incidentIoEvent(notification: Notification) {
  return {
    title: cutChars(subjectOf(notification), TITLE_CHARS),
    description: fitText(notification, DESCRIPTION_CHARS),
    status: notification.status,
    deduplication_key: groupDigest(notification.groupKey),
    source_url: notification.alerts[0]?.generatorURL ?? notification.externalURL,
    metadata: {
      ...notification.commonLabels,
      alerts: notification.alerts.length,
      idempotency_key: notification.idempotencyKey,
    },
  };
}

export class IncidentIoSender {
  private readonly poster: Poster;

  constructor(private readonly integration: IncidentIoIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(incidentIoEvent(notification));
    const headers = { authorization: `Bearer ${this.integration.token}` };
    const answer = await this.poster.post(this.integration.url, body, headers, now);
    failIfRejected(answer, () => {
      const words = repliedWords(
        answer.text,
        (reply) => (reply.errors as Array<{ message?: unknown }> | undefined)?.[0]?.message ?? reply.message,
      );
      const secrets = [...urlSecrets(this.integration.url), this.integration.token];
      return `incident.io rejected the event: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
