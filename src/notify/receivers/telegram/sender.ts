/**
 * Telegram: POST <api_url>/bot<token>/sendMessage with `parse_mode: HTML` (the title bold, every
 * value escaped), at most 4,096 characters. Answers are {"ok":true,…}; a refusal is
 * {"ok":false,"error_code":400,"description":"Bad Request: chat not found"} (final), and 429 says
 * how long to wait in `parameters.retry_after` (seconds), which is honoured.
 */
import type { Notification } from '../../../model/notification.js';
import { escapeHtml } from '../../../util/html.js';
import { DeliveryError } from '../../delivery/delivery-error.js';
import { fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, vendorWords } from '../json-post.js';
import type { TelegramIntegration } from './index.js';

const MESSAGE_CHARS = 4096;

/** The HTML message within 4,096 characters, counted after escaping. */
export function telegramText(notification: Notification): string {
  const title = `<b>${escapeHtml(subjectOf(notification))}</b>\n\n`;
  for (let chars = MESSAGE_CHARS - [...title].length; ; chars = Math.floor(chars * 0.8)) {
    const text = `${title}${escapeHtml(fitText(notification, chars))}`;
    if ([...text].length <= MESSAGE_CHARS || chars < 100) return text;
  }
}

export class TelegramSender {
  private readonly poster: Poster;

  constructor(private readonly integration: TelegramIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const { integration } = this;
    const body = JSON.stringify({
      chat_id: integration.chatId,
      text: telegramText(notification),
      parse_mode: 'HTML',
      disable_web_page_preview: true,
      disable_notification: integration.disableNotifications,
    });
    const url = `${integration.apiUrl}/bot${integration.botToken}/sendMessage`;
    const answer = await this.poster.post(url, body, {}, now);
    let reply: { ok?: boolean; description?: string; parameters?: { retry_after?: number } } = {};
    try {
      reply = JSON.parse(answer.text) as typeof reply;
    } catch {
      // Not JSON: the status decides below.
    }
    const secrets = [integration.botToken];
    const retryAfter = reply.parameters?.retry_after;
    if (answer.status === 429 && typeof retryAfter === 'number')
      throw new DeliveryError('http_429', 'HTTP 429 Too Many Requests', true, retryAfter * 1000);
    failIfRejected(
      answer,
      () =>
        `Telegram rejected the message: ${vendorWords(String(reply.description ?? answer.text), secrets)}`,
    );
    if (reply.ok !== true)
      throw new DeliveryError(
        'rejected',
        `Telegram answered without ok: ${vendorWords(answer.text, secrets)}`,
        false,
      );
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
