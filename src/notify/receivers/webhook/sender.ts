/**
 * Webhook integration: Alertmanager's payload version 4 over undici, with a per-attempt timeout
 * on every phase, an HMAC-SHA256 signature over timestamp and body, and an idempotency key.
 * Signature header: `X-Prismwatch-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">`,
 * the scheme Stripe and GitHub users know: the timestamp in the MAC stops replays of old bodies.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { Notification } from '../../../model/notification.js';
import { USER_AGENT } from '../../../version.js';
import { retryAfterMs } from '../../backoff.js';
import { renderBodyTemplate } from '../../body-template.js';
import { webhookPayload } from '../../notification.js';
import { classifyStatus } from '../http-errors.js';
import type { WebhookIntegration } from './index.js';

export function signature(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Answers from receivers are read up to this size, then the connection is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly integration: WebhookIntegration) {
    const tls = integration.tls;
    this.agent = new Agent({
      keepAliveTimeout: 4_000,
      connect: {
        timeout: integration.timeoutMs,
        ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls?.serverName ? { servername: tls.serverName } : {}),
        ...(tls?.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
      },
    });
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
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'idempotency-key': notification.idempotencyKey,
    };
    if (integration.signingSecret)
      headers['x-prismwatch-signature'] = signature(integration.signingSecret, Math.floor(now / 1000), body);
    // Errors go up as they are: the type's classify (index.ts) turns them into a DeliveryError.
    const response = await request(integration.url, {
      method: 'POST',
      body,
      headers,
      dispatcher: this.agent,
      headersTimeout: integration.timeoutMs,
      bodyTimeout: integration.timeoutMs,
      signal: AbortSignal.timeout(integration.timeoutMs),
    });
    let read = 0;
    for await (const chunk of response.body) {
      read += (chunk as Buffer).length;
      if (read > MAX_RESPONSE_BYTES) {
        response.body.destroy();
        break;
      }
    }
    const retryAfter = response.headers['retry-after'];
    const failure = classifyStatus(
      response.statusCode,
      retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now),
    );
    if (failure) throw failure;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
