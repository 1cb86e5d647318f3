/**
 * Pushover: `POST /1/messages.json`, JSON `{token, user, title, message, priority, url,
 * url_title}` (title ≤ 250 characters, message ≤ 1,024, url ≤ 512); emergency priority (2) needs
 * `retry` and `expire`, sent as 60 s and an hour. The answer is `{status: 1, request}`; 4xx with
 * `{status: 0, errors: [...]}` is final (a bad token or user key), 429 (the application's monthly
 * limit) and 5xx are retried.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, vendorWords } from '../json-post.js';
import type { PushoverIntegration } from './index.js';

const TITLE_CHARS = 250;
const MESSAGE_CHARS = 1_024;
const URL_CHARS = 512;

export function pushoverMessage(notification: Notification, integration: PushoverIntegration) {
  const firing = notification.status === 'firing';
  const critical = notification.alerts.some((alert) => alert.labels.severity === 'critical');
  const { priorities } = integration;
  const priority = !firing ? priorities.resolved : critical ? priorities.critical : priorities.warning;
  const url = notification.alerts[0]?.generatorURL ?? notification.externalURL;
  return {
    token: integration.token,
    user: integration.userKey,
    title: cutChars(subjectOf(notification), TITLE_CHARS),
    message: fitText(notification, MESSAGE_CHARS),
    priority,
    ...(priority === 2 ? { retry: 60, expire: 3_600 } : {}),
    ...(url.length <= URL_CHARS ? { url, url_title: 'Details' } : {}),
  };
}

export class PushoverSender {
  private readonly poster: Poster;

  constructor(private readonly integration: PushoverIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(pushoverMessage(notification, this.integration));
    const answer = await this.poster.post(this.integration.url, body, {}, now);
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) => (reply.errors as unknown[] | undefined)?.join('; '));
      const secrets = [this.integration.token, this.integration.userKey];
      return `Pushover rejected the message: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
