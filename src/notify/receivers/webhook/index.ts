/** The `webhook` receiver type: Alertmanager's JSON, signed (sender.ts), configured as `webhook_configs`. */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { BODY_TEMPLATE_PLACEHOLDERS, unknownTemplatePlaceholders } from '../../render/body-template.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { WebhookSender } from './sender.js';

export interface WebhookIntegration extends Integration {
  readonly type: 'webhook';
  readonly url: string;
  readonly signingSecret?: string;
  readonly maxAlerts: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls?: TlsSettings;
  readonly bodyTemplate?: unknown;
}

const configSchema = z.strictObject({
  ...commonConfig,
  url: optionalUrl,
  /** HMAC-SHA256 key for the X-Prismwatch-Signature header; usually ${ENV}. */
  signing_secret: z.string().optional(),
  max_alerts: z.number().int().min(0).default(0),
  headers: z.record(z.string(), z.string()).default({}),
  tls_config: tlsConfig.optional(),
  /** Sent instead of the Alertmanager payload; see body-template.ts. */
  body_template: z
    .union([z.record(z.string(), z.unknown()), z.array(z.unknown())], {
      error: 'expected a mapping or list to send as JSON',
    })
    .superRefine((template, ctx) => {
      const unknown = unknownTemplatePlaceholders(template);
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          input: template,
          message: `expected placeholders among ${BODY_TEMPLATE_PLACEHOLDERS}, got {{${unknown[0]}}}`,
        });
    })
    .optional(),
});

export const webhookReceiver = defineReceiver<z.infer<typeof configSchema>, WebhookIntegration>({
  type: 'webhook',
  configSchema,
  build: (config, place) => ({
    type: 'webhook',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.url === '' ? { disabled: 'url is empty' } : {}),
    url: config.url,
    ...(config.signing_secret ? { signingSecret: config.signing_secret } : {}),
    maxAlerts: config.max_alerts,
    ...(config.body_template !== undefined ? { bodyTemplate: config.body_template } : {}),
    headers: config.headers,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new WebhookSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
