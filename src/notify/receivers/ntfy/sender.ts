/**
 * ntfy: one JSON message published to the server's root (`POST /` with `topic` in the body):
 * a title (the subject), the message (at most 4,096 bytes; ntfy turns a longer one into an
 * attachment), a priority by severity (1 to 5; 1 when resolved, so a recovery does not ring),
 * tags (`rotating_light` or `white_check_mark`, then the configured ones) and a click link to the
 * alert. 200 is accepted; 429 (ntfy's rate limits) and 5xx are retried, honouring Retry-After;
 * other 4xx are final (401/403: the token; 400: the message), in ntfy's own words.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import type { NtfyIntegration } from './index.js';

/** ntfy keeps a message up to 4,096 bytes as text; fitText counts characters, so leave room for UTF-8. */
const MESSAGE_CHARS = 1_300;
const TITLE_CHARS = 250;

export function ntfyMessage(notification: Notification, integration: Omit<NtfyIntegration, 'authorization'>) {
  const firing = notification.status === 'firing';
  const critical = notification.alerts.some((alert) => alert.labels.severity === 'critical');
  return {
    topic: integration.topic,
    title: cutChars(subjectOf(notification), TITLE_CHARS),
    message: fitText(notification, MESSAGE_CHARS),
    priority: !firing ? 1 : critical ? integration.priorities.critical : integration.priorities.warning,
    tags: [firing ? 'rotating_light' : 'white_check_mark', ...integration.tags],
    click: notification.alerts[0]?.generatorURL ?? notification.externalURL,
  };
}

export class NtfySender {
  private readonly poster: Poster;

  constructor(private readonly integration: NtfyIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(ntfyMessage(notification, this.integration));
    const headers: Record<string, string> = this.integration.authorization
      ? { authorization: this.integration.authorization }
      : {};
    const answer = await this.poster.post(this.integration.url, body, headers, now);
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) => reply.error);
      const secrets = [
        ...urlSecrets(this.integration.url),
        this.integration.topic,
        ...(this.integration.authorization ? [this.integration.authorization.replace(/^\w+ /, '')] : []),
      ];
      return `ntfy rejected the message: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
