/**
 * Mattermost: an incoming webhook takes Slack's shape, `{text, channel, username, icon_url,
 * attachments}` (attachment-webhook.ts). A post is at most 16,383 characters; the attachment's
 * text is kept to 8,000. 200 (body `ok`) is accepted; 429 (API rate limiting, with
 * X-RateLimit-Reset) and 5xx are retried; 400 (its `message`), 403 (webhooks switched off) and
 * 404 (no such webhook) are final.
 */
import { AttachmentWebhookSender } from '../attachment-webhook.js';
import type { MattermostIntegration } from './index.js';

export function mattermostSender(integration: MattermostIntegration): AttachmentWebhookSender {
  return new AttachmentWebhookSender({
    vendor: 'Mattermost',
    url: integration.url,
    timeoutMs: integration.timeoutMs,
    ...(integration.tls ? { tls: integration.tls } : {}),
    overrides: {
      ...(integration.channel ? { channel: integration.channel } : {}),
      ...(integration.username ? { username: integration.username } : {}),
      ...(integration.iconUrl ? { icon_url: integration.iconUrl } : {}),
    },
    textChars: 8_000,
    errorOf: (reply) => reply.message,
  });
}
