/**
 * SMS through Twilio: POST /2010-04-01/Accounts/<sid>/Messages.json, form-encoded To, From and
 * Body, Basic auth with the SID and token. The body is short, as a text should be: the title, a
 * why line per alert (five at most) and the status URL, within Twilio's 1,600 characters. 201 is
 * queued; errors come as {code, message}: 20429 (429) is retried, 21211 (invalid To) and 20003
 * (authentication) are final.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, subjectOf, whyLine } from '../../render/text-summary.js';
import { failIfRejected, Poster, vendorWords } from '../json-post.js';
import type { SmsIntegration } from './index.js';

const BODY_CHARS = 1600;

export function smsText(notification: Notification): string {
  const left = notification.alerts.length - 5;
  const lines = [
    subjectOf(notification),
    ...notification.alerts.slice(0, 5).map(whyLine),
    ...(left > 0 ? [`… ${left} more`] : []),
    notification.externalURL,
  ];
  return cutChars(lines.join('\n'), BODY_CHARS);
}

export class SmsSender {
  private readonly poster: Poster;

  constructor(private readonly integration: SmsIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const { integration } = this;
    const url = `${integration.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(integration.accountSid)}/Messages.json`;
    const form = new URLSearchParams({
      To: integration.to,
      From: integration.from,
      Body: smsText(notification),
    });
    const auth = Buffer.from(`${integration.accountSid}:${integration.authToken}`).toString('base64');
    const answer = await this.poster.post(
      url,
      form.toString(),
      { authorization: `Basic ${auth}` },
      now,
      'application/x-www-form-urlencoded',
    );
    failIfRejected(answer, ({ text }) => {
      let reply: { code?: unknown; message?: unknown } = {};
      try {
        reply = JSON.parse(text) as typeof reply;
      } catch {
        // The words below say what there is.
      }
      const words =
        reply.message === undefined ? text : `${String(reply.code ?? '')} ${String(reply.message)}`;
      return `Twilio rejected the message: ${vendorWords(words, [integration.authToken, auth]) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
