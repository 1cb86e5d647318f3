/**
 * Gotify: `POST <url>/message` with the application token in `X-Gotify-Key` (never in the URL,
 * where proxies log it), JSON `{title, message, priority, extras}`; the message as plain text
 * (`client::display`) and a click link (`client::notification`). Priority by severity; Android
 * shows 4 and up as a notification and 8 and up at high importance. 200 is accepted; 429 and 5xx
 * are retried; 400 and 401/403 are final, in Gotify's `errorDescription`.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import type { GotifyIntegration } from './index.js';

/** Gotify stores any length; phones show a few lines: the summary stays short. */
const MESSAGE_CHARS = 4_000;
const TITLE_CHARS = 250;

export function gotifyMessage(
  notification: Notification,
  integration: Pick<GotifyIntegration, 'priorities'>,
) {
  const firing = notification.status === 'firing';
  const critical = notification.alerts.some((alert) => alert.labels.severity === 'critical');
  const { priorities } = integration;
  return {
    title: cutChars(subjectOf(notification), TITLE_CHARS),
    message: fitText(notification, MESSAGE_CHARS),
    priority: !firing ? priorities.resolved : critical ? priorities.critical : priorities.warning,
    extras: {
      'client::display': { contentType: 'text/plain' },
      'client::notification': {
        click: { url: notification.alerts[0]?.generatorURL ?? notification.externalURL },
      },
    },
  };
}

export class GotifySender {
  private readonly poster: Poster;
  private readonly endpoint: string;

  constructor(private readonly integration: GotifyIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
    this.endpoint = `${integration.url.replace(/\/+$/, '')}/message`;
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(gotifyMessage(notification, this.integration));
    const answer = await this.poster.post(
      this.endpoint,
      body,
      { 'x-gotify-key': this.integration.token },
      now,
    );
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) => reply.errorDescription ?? reply.error);
      const secrets = [...urlSecrets(this.integration.url), this.integration.token];
      return `Gotify rejected the message: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
