/**
 * Discord: one embed, red while firing and green when resolved, title ≤ 256 characters and
 * description ≤ 4,096 (the message stays under Discord's 6,000 for all embeds). 204 (or 200) is
 * accepted; 429 says how long to wait as `retry_after` in seconds, fractional, in the body and as
 * Retry-After, which is honoured; 400 and 404 (Unknown Webhook) are final.
 */
import type { Notification } from '../../../model/notification.js';
import { DeliveryError } from '../../delivery/delivery-error.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, urlSecrets, vendorWords } from '../json-post.js';
import type { DiscordIntegration } from './index.js';

const TITLE_CHARS = 256;
const DESCRIPTION_CHARS = 4096;
const RED = 0xe74c3c;
const GREEN = 0x2ecc71;

export function discordMessage(
  notification: Notification,
  integration: Pick<DiscordIntegration, 'username'>,
) {
  return {
    ...(integration.username ? { username: integration.username } : {}),
    embeds: [
      {
        title: cutChars(subjectOf(notification), TITLE_CHARS),
        url: notification.externalURL,
        description: fitText(notification, DESCRIPTION_CHARS),
        color: notification.status === 'firing' ? RED : GREEN,
      },
    ],
  };
}

export class DiscordSender {
  private readonly poster: Poster;

  constructor(private readonly integration: DiscordIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(discordMessage(notification, this.integration));
    const answer = await this.poster.post(this.integration.url, body, {}, now);
    let reply: { message?: string; retry_after?: number } = {};
    try {
      reply = JSON.parse(answer.text) as typeof reply;
    } catch {
      // 204 has no body.
    }
    if (answer.status === 429 && typeof reply.retry_after === 'number')
      throw new DeliveryError(
        'http_429',
        'HTTP 429 Too Many Requests',
        true,
        Math.ceil(reply.retry_after * 1000),
      );
    failIfRejected(
      answer,
      () =>
        `Discord rejected the message: ${vendorWords(String(reply.message ?? answer.text), urlSecrets(this.integration.url)) || 'no explanation'}`,
    );
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
