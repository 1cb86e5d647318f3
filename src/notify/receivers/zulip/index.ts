/**
 * The `zulip` receiver type (`zulip_configs`): a message to a Zulip channel (stream) from a bot,
 * one topic per alert group. The bot's API key is a secret. Facts: docs/receivers.md#zulip.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { ZulipSender } from './sender.js';

export interface ZulipIntegration extends Integration {
  readonly type: 'zulip';
  /** The organization's URL, https://example.zulipchat.com. */
  readonly url: string;
  readonly botEmail: string;
  readonly apiKey: string;
  readonly stream: string;
  /** The topic; without one, each alert group gets its own (its labels). */
  readonly topic?: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The organization's URL; "" switches the integration off. */
  url: optionalUrl,
  bot_email: z
    .string({ error: "expected the bot's email address" })
    .email({ message: "expected the bot's email address" }),
  /** The bot's API key (a secret: usually ${ENV}). */
  api_key: z.string({ error: "expected the bot's API key" }).min(1),
  /** The channel (stream) to post to. */
  stream: z.string({ error: 'expected the channel (stream) name' }).min(1),
  topic: z.string().max(60).optional(),
  tls_config: tlsConfig.optional(),
});

export const zulipReceiver = defineReceiver<z.infer<typeof configSchema>, ZulipIntegration>({
  type: 'zulip',
  configSchema,
  build: (config, place) => ({
    type: 'zulip',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.url === '' ? { disabled: 'url is empty' } : {}),
    url: config.url,
    botEmail: config.bot_email,
    apiKey: config.api_key,
    stream: config.stream,
    ...(config.topic ? { topic: config.topic } : {}),
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new ZulipSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
