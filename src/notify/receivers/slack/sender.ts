/**
 * Slack: one attachment per notification, red while firing and green when resolved, titled like
 * Alertmanager's and carrying the same evidence as email within Slack's limits (title 1,024
 * characters, text 40,000). Answers: a webhook says `ok`; chat.postMessage says {"ok":true} and
 * explains a refusal as {"ok":false,"error":"channel_not_found"} with status 200.
 */
import type { Notification } from '../../../model/notification.js';
import { DeliveryError } from '../../delivery/delivery-error.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, urlSecrets, vendorWords } from '../json-post.js';
import type { SlackIntegration } from './index.js';

const TITLE_CHARS = 1024;
const TEXT_CHARS = 40_000;

/** chat.postMessage errors worth another try; every other `ok:false` is final. */
const RETRYABLE_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

export function slackMessage(
  notification: Notification,
  integration: Pick<SlackIntegration, 'channel' | 'username'>,
) {
  const title = cutChars(subjectOf(notification), TITLE_CHARS);
  return {
    ...(integration.channel ? { channel: integration.channel } : {}),
    ...(integration.username ? { username: integration.username } : {}),
    attachments: [
      {
        color: notification.status === 'firing' ? 'danger' : 'good',
        title,
        title_link: notification.externalURL,
        text: fitText(notification, TEXT_CHARS),
        fallback: title,
        mrkdwn_in: ['fallback', 'pretext', 'text'],
      },
    ],
  };
}

export class SlackSender {
  private readonly poster: Poster;
  /** What must never appear in an error: the token, or the webhook URL (which is the secret). */
  private readonly secrets: string[];

  constructor(private readonly integration: SlackIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
    this.secrets = integration.token ? [integration.token] : urlSecrets(integration.url);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const { integration } = this;
    const body = JSON.stringify(slackMessage(notification, integration));
    const headers: Record<string, string> = integration.token
      ? { authorization: `Bearer ${integration.token}` }
      : {};
    const answer = await this.poster.post(
      integration.url,
      body,
      headers,
      now,
      'application/json; charset=utf-8',
    );
    // Slack names the problem in the body (invalid_payload, no_service, channel_is_archived).
    failIfRejected(answer, ({ text }) => `Slack rejected the message: ${vendorWords(text, this.secrets)}`);
    if (!integration.token) {
      if (answer.text.trim() !== 'ok')
        throw new DeliveryError(
          'rejected',
          `Slack answered "${vendorWords(answer.text, this.secrets)}" instead of ok`,
          false,
        );
      return;
    }
    let reply: { ok?: boolean; error?: string };
    try {
      reply = JSON.parse(answer.text) as { ok?: boolean; error?: string };
    } catch {
      throw new DeliveryError(
        'rejected',
        `Slack answered something other than JSON: ${vendorWords(answer.text, this.secrets)}`,
        false,
      );
    }
    if (reply.ok === true) return;
    const error = vendorWords(String(reply.error ?? 'unknown_error'), this.secrets);
    throw new DeliveryError(
      'rejected',
      `Slack rejected the message: ${error}`,
      RETRYABLE_ERRORS.has(error),
      answer.retryAfterMs,
    );
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
