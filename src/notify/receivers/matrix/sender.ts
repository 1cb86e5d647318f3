/**
 * Matrix: `PUT /_matrix/client/v3/rooms/<room>/send/m.room.message/<txnId>` with the bot's
 * access token as a bearer token. The transaction id is the notification's idempotency key, so a
 * retry after a lost answer is the same event to the homeserver, not a second message. The body
 * is `m.text` with an HTML rendering (`org.matrix.custom.html`, every value escaped). 200 is
 * accepted; 429 (`M_LIMIT_EXCEEDED`, with `retry_after_ms`) and 5xx are retried; 401
 * (`M_UNKNOWN_TOKEN`), 403 (`M_FORBIDDEN`: the bot is not in the room) and 400 are final.
 */
import type { Notification } from '../../../model/notification.js';
import { escapeHtml } from '../../../util/html.js';
import { DeliveryError } from '../../delivery/delivery-error.js';
import { fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import type { MatrixIntegration } from './index.js';

/** An event is at most 65,536 bytes; text and its HTML copy together stay well under. */
const TEXT_CHARS = 12_000;

export function matrixMessage(notification: Notification) {
  const subject = subjectOf(notification);
  const text = fitText(notification, TEXT_CHARS);
  const lines = text.split('\n').map((line) => escapeHtml(line));
  const link = notification.alerts[0]?.generatorURL ?? notification.externalURL;
  return {
    msgtype: 'm.text',
    body: `${subject}\n${text}`,
    format: 'org.matrix.custom.html',
    formatted_body: `<p><strong><a href="${escapeHtml(link)}">${escapeHtml(subject)}</a></strong></p><p>${lines.join('<br>')}</p>`,
  };
}

export class MatrixSender {
  private readonly poster: Poster;
  private readonly base: string;

  constructor(private readonly integration: MatrixIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
    this.base = `${integration.url.replace(/\/+$/, '')}/_matrix/client/v3/rooms/${encodeURIComponent(integration.roomId)}/send/m.room.message/`;
  }

  async send(notification: Notification, now: number): Promise<void> {
    const url = `${this.base}${encodeURIComponent(notification.idempotencyKey)}`;
    const headers = { authorization: `Bearer ${this.integration.accessToken}` };
    const body = JSON.stringify(matrixMessage(notification));
    const answer = await this.poster.post(url, body, headers, now, 'application/json', 'PUT');
    if (answer.status === 429) {
      const waitMs = Number(repliedWords(answer.text, (reply) => reply.retry_after_ms));
      throw new DeliveryError(
        'http_429',
        'HTTP 429 M_LIMIT_EXCEEDED',
        true,
        Number.isFinite(waitMs) && waitMs > 0 ? waitMs : answer.retryAfterMs,
      );
    }
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) =>
        reply.errcode === undefined ? undefined : `${String(reply.errcode)}: ${String(reply.error ?? '')}`,
      );
      const secrets = [...urlSecrets(this.integration.url), this.integration.accessToken];
      return `Matrix refused the message: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
