/**
 * Incoming webhooks that take Slack's attachment shape (Mattermost, Rocket.Chat): one attachment
 * per notification, red while firing and green when resolved, its title linking to the alert,
 * with the vendor's own override keys for channel, name and icon. 2xx is accepted; 429 and 5xx
 * are retried; other 4xx are final, in the vendor's words. Each vendor's folder says its keys
 * and limits.
 */
import type { Notification } from '../../model/notification.js';
import type { TlsSettings } from '../config/model.js';
import { cutChars, fitText, subjectOf } from '../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from './json-post.js';

const TITLE_CHARS = 250;
const RED = '#E74C3C';
const GREEN = '#2ECC71';

export interface AttachmentWebhook {
  readonly vendor: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly tls?: TlsSettings;
  /** The vendor's override fields, as sent (`{channel, username, icon_url}` for Mattermost). */
  readonly overrides: Readonly<Record<string, string>>;
  readonly textChars: number;
  /** Where the vendor says why it refused, in its error JSON. */
  readonly errorOf: (reply: Record<string, unknown>) => unknown;
}

export function attachmentMessage(
  notification: Notification,
  hook: Pick<AttachmentWebhook, 'overrides' | 'textChars'>,
) {
  const title = cutChars(subjectOf(notification), TITLE_CHARS);
  return {
    ...hook.overrides,
    attachments: [
      {
        fallback: title,
        color: notification.status === 'firing' ? RED : GREEN,
        title,
        title_link: notification.alerts[0]?.generatorURL ?? notification.externalURL,
        text: fitText(notification, hook.textChars),
      },
    ],
  };
}

export class AttachmentWebhookSender {
  private readonly poster: Poster;

  constructor(private readonly hook: AttachmentWebhook) {
    this.poster = new Poster(hook.timeoutMs, hook.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(attachmentMessage(notification, this.hook));
    const answer = await this.poster.post(this.hook.url, body, {}, now);
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, this.hook.errorOf);
      return `${this.hook.vendor} rejected the message: ${vendorWords(words, urlSecrets(this.hook.url)) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
