/**
 * Webex: `POST /v1/messages` with the bot's token as a bearer token, JSON `{roomId, markdown}`:
 * the subject in bold linking to the alert, then the summary. Markdown is at most 7,439 bytes.
 * 200 is accepted; 429 (Retry-After) and 5xx are retried; 400, 401, 403 and 404 (the bot is not
 * in the space) are final, in Webex's `message`.
 */
import type { Notification } from '../../../model/notification.js';
import { fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import type { WebexIntegration } from './index.js';

/** 7,439 bytes of markdown; characters may take up to 3 bytes each. */
const MARKDOWN_CHARS = 2_400;

/** Markdown's own characters in a value, escaped so an alert's text cannot format the message. */
const escapeMarkdown = (text: string) => text.replace(/([\\`*_[\]#<>|])/g, '\\$1');

export function webexMessage(notification: Notification, roomId: string) {
  const subject = escapeMarkdown(subjectOf(notification));
  const link = notification.alerts[0]?.generatorURL ?? notification.externalURL;
  const body = escapeMarkdown(fitText(notification, MARKDOWN_CHARS - subject.length - link.length - 10));
  return { roomId, markdown: `**[${subject}](${link})**\n\n${body}` };
}

export class WebexSender {
  private readonly poster: Poster;

  constructor(private readonly integration: WebexIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(webexMessage(notification, this.integration.roomId));
    const headers = { authorization: `Bearer ${this.integration.token}` };
    const answer = await this.poster.post(this.integration.url, body, headers, now);
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) => reply.message);
      const secrets = [...urlSecrets(this.integration.url), this.integration.token];
      return `Webex rejected the message: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
