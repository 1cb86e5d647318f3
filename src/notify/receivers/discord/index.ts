/**
 * The `discord` receiver type (`discord_configs`, Alertmanager's keys): a channel webhook, one
 * embed per notification. The webhook URL is a secret. Facts: docs/receivers.md#discord-webhooks.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { DiscordSender } from './sender.js';

export interface DiscordIntegration extends Integration {
  readonly type: 'discord';
  readonly url: string;
  readonly username?: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The channel webhook URL (a secret: usually ${ENV}); "" switches it off. */
  webhook_url: optionalUrl,
  username: z.string().optional(),
  tls_config: tlsConfig.optional(),
});

export const discordReceiver = defineReceiver<z.infer<typeof configSchema>, DiscordIntegration>({
  type: 'discord',
  configSchema,
  build: (config, place) => ({
    type: 'discord',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.webhook_url === '' ? { disabled: 'webhook_url is empty' } : {}),
    url: config.webhook_url,
    ...(config.username ? { username: config.username } : {}),
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new DiscordSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
