/**
 * The `webex` receiver type (`webex_configs`, Alertmanager's keys): a message in a Webex space
 * from a bot. The bot's token is a secret. Facts: docs/receivers.md#webex.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { WebexSender } from './sender.js';

export interface WebexIntegration extends Integration {
  readonly type: 'webex';
  readonly url: string;
  readonly roomId: string;
  readonly token: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The space (room) the bot has been added to. */
  room_id: z.string({ error: "expected the space's room id" }).min(1),
  /** The bot's access token (a secret: usually ${ENV}). */
  bot_token: z.string({ error: "expected the bot's access token" }).min(1),
  /** "" switches the integration off. */
  api_url: optionalUrl.default('https://webexapis.com/v1/messages'),
  tls_config: tlsConfig.optional(),
});

export const webexReceiver = defineReceiver<z.infer<typeof configSchema>, WebexIntegration>({
  type: 'webex',
  configSchema,
  build: (config, place) => ({
    type: 'webex',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.api_url === '' ? { disabled: 'api_url is empty' } : {}),
    url: config.api_url,
    roomId: config.room_id,
    token: config.bot_token,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new WebexSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
