/**
 * Webhook integration: Alertmanager's payload version 4 over undici, with a per-attempt timeout
 * on every phase, an HMAC-SHA256 signature over timestamp and body, and an idempotency key.
 * Signature header: `X-Prismwatch-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">`,
 * the scheme Stripe and GitHub users know: the timestamp in the MAC stops replays of old bodies.
 */
import { createHmac } from 'node:crypto';
import type { Notification } from '../../../model/notification.js';
import { webhookPayload } from '../../dispatch/notification.js';
import { renderBodyTemplate } from '../../render/body-template.js';
import { classifyStatus } from '../http-errors.js';
import { Poster } from '../json-post.js';
import type { WebhookIntegration } from './index.js';

export function signature(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export class WebhookSender {
  private readonly poster: Poster;

  constructor(private readonly integration: WebhookIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const { integration } = this;
    const body = JSON.stringify(
      integration.bodyTemplate === undefined
        ? webhookPayload(notification, integration.maxAlerts)
        : renderBodyTemplate(integration.bodyTemplate, notification),
    );
    const headers: Record<string, string> = {
      ...integration.headers,
      'idempotency-key': notification.idempotencyKey,
    };
    if (integration.signingSecret)
      headers['x-prismwatch-signature'] = signature(integration.signingSecret, Math.floor(now / 1000), body);
    // Errors go up as they are: the type's classify (index.ts) turns them into a DeliveryError.
    const answer = await this.poster.post(integration.url, body, headers, now);
    const failure = classifyStatus(answer.status, answer.retryAfterMs);
    if (failure) throw failure;
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
