/**
 * The `googlechat` receiver type (`googlechat_configs`): a space's incoming webhook, one text
 * message per notification, each alert group in its own thread. The webhook URL (with its key
 * and token) is a secret. Facts: docs/receivers.md#google-chat.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { GoogleChatSender } from './sender.js';

export interface GoogleChatIntegration extends Integration {
  readonly type: 'googlechat';
  readonly url: string;
  /** Each alert group's messages in one thread (default true). */
  readonly threads: boolean;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The space's webhook URL (a secret: usually ${ENV}); "" switches it off. */
  webhook_url: optionalUrl,
  threads: z.boolean().default(true),
  tls_config: tlsConfig.optional(),
});

export const googleChatReceiver = defineReceiver<z.infer<typeof configSchema>, GoogleChatIntegration>({
  type: 'googlechat',
  configSchema,
  build: (config, place) => ({
    type: 'googlechat',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.webhook_url === '' ? { disabled: 'webhook_url is empty' } : {}),
    url: config.webhook_url,
    threads: config.threads,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new GoogleChatSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
