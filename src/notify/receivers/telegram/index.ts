/**
 * The `telegram` receiver type (`telegram_configs`, Alertmanager's keys): a bot's sendMessage to
 * one chat. The token is a secret and part of the URL, so errors never show the URL. Facts:
 * docs/receivers.md#telegram-bot-api.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { TelegramSender } from './sender.js';

export interface TelegramIntegration extends Integration {
  readonly type: 'telegram';
  readonly apiUrl: string;
  readonly botToken: string;
  readonly chatId: number;
  readonly disableNotifications: boolean;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The bot's token from @BotFather (a secret: usually ${ENV}); "" switches it off. */
  bot_token: z.string({ error: 'expected the bot token' }),
  chat_id: z.number({ error: 'expected the numeric chat id' }).int(),
  api_url: optionalUrl.default('https://api.telegram.org'),
  disable_notifications: z.boolean().default(false),
  tls_config: tlsConfig.optional(),
});

export const telegramReceiver = defineReceiver<z.infer<typeof configSchema>, TelegramIntegration>({
  type: 'telegram',
  configSchema,
  build: (config, place) => ({
    type: 'telegram',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.bot_token === '' || config.api_url === ''
      ? { disabled: 'bot_token or api_url is empty' }
      : {}),
    apiUrl: config.api_url.replace(/\/+$/, ''),
    botToken: config.bot_token,
    chatId: config.chat_id,
    disableNotifications: config.disable_notifications,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new TelegramSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
