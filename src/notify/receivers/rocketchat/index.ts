/**
 * The `rocketchat` receiver type (`rocketchat_configs`): a Rocket.Chat incoming webhook
 * integration, one attachment per notification (attachment-webhook.ts). The webhook URL (its id
 * and token) is a secret. Facts: docs/receivers.md#rocketchat.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { AttachmentWebhookSender } from '../attachment-webhook.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';

export interface RocketChatIntegration extends Integration {
  readonly type: 'rocketchat';
  readonly url: string;
  readonly overrides: Readonly<Record<string, string>>;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The integration's webhook URL, https://<server>/hooks/<id>/<token> (a secret); "" switches it off. */
  webhook_url: optionalUrl,
  /** Overrides of the integration's channel (#room or @user), display name and avatar URL. */
  channel: z.string().optional(),
  alias: z.string().optional(),
  avatar: z.string().optional(),
  tls_config: tlsConfig.optional(),
});

export const rocketChatReceiver = defineReceiver<z.infer<typeof configSchema>, RocketChatIntegration>({
  type: 'rocketchat',
  configSchema,
  build: (config, place) => ({
    type: 'rocketchat',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.webhook_url === '' ? { disabled: 'webhook_url is empty' } : {}),
    url: config.webhook_url,
    overrides: {
      ...(config.channel ? { channel: config.channel } : {}),
      ...(config.alias ? { alias: config.alias } : {}),
      ...(config.avatar ? { avatar: config.avatar } : {}),
    },
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  // Rocket.Chat answers {success: false, error} when it refuses; its messages hold 5,000 characters by default.
  send: (integration) =>
    new AttachmentWebhookSender({
      vendor: 'Rocket.Chat',
      url: integration.url,
      timeoutMs: integration.timeoutMs,
      ...(integration.tls ? { tls: integration.tls } : {}),
      overrides: integration.overrides,
      textChars: 4_500,
      errorOf: (reply) => reply.error,
    }),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
