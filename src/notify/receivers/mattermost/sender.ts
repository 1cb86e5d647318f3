/**
 * Mattermost: an incoming webhook takes Slack's shape, `{text, channel, username, icon_url,
 * attachments}`; prismwatch sends one attachment, red while firing and green when resolved, its
 * title linking to the alert. A post is at most 16,383 characters. 200 (body `ok`) is accepted;
 * 429 (API rate limiting, with X-RateLimit-Reset) and 5xx are retried; 400 (its `message`), 403
 * (webhooks switched off) and 404 (no such webhook) are final.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import type { MattermostIntegration } from './index.js';

const TEXT_CHARS = 8_000;
const TITLE_CHARS = 250;
const RED = '#E74C3C';
const GREEN = '#2ECC71';

export function mattermostMessage(
  notification: Notification,
  integration: Pick<MattermostIntegration, 'channel' | 'username' | 'iconUrl'>,
) {
  const title = cutChars(subjectOf(notification), TITLE_CHARS);
  return {
    ...(integration.channel ? { channel: integration.channel } : {}),
    ...(integration.username ? { username: integration.username } : {}),
    ...(integration.iconUrl ? { icon_url: integration.iconUrl } : {}),
    attachments: [
      {
        fallback: title,
        color: notification.status === 'firing' ? RED : GREEN,
        title,
        title_link: notification.alerts[0]?.generatorURL ?? notification.externalURL,
        text: fitText(notification, TEXT_CHARS),
      },
    ],
  };
}

export class MattermostSender {
  private readonly poster: Poster;

  constructor(private readonly integration: MattermostIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(mattermostMessage(notification, this.integration));
    const answer = await this.poster.post(this.integration.url, body, {}, now);
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) => reply.message);
      return `Mattermost rejected the message: ${vendorWords(words, urlSecrets(this.integration.url)) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
