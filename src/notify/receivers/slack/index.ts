/**
 * The `slack` receiver type, in Alertmanager's vocabulary (`slack_configs`): an incoming webhook
 * (`api_url`, itself the secret) or a bot token posting with chat.postMessage (`app_token`,
 * `channel`). `send_resolved` defaults to false, as in Alertmanager. Facts on the API:
 * docs/receivers.md#slack.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { SlackSender } from './sender.js';

export interface SlackIntegration extends Integration {
  readonly type: 'slack';
  /** The incoming webhook, or chat.postMessage when a token is set. */
  readonly url: string;
  readonly token?: string;
  readonly channel?: string;
  readonly username?: string;
  readonly tls?: TlsSettings;
}

const configSchema = z
  .strictObject({
    ...commonConfig,
    send_resolved: z.boolean().default(false),
    /** Incoming webhook URL (a secret: usually ${ENV}); "" switches the integration off. */
    api_url: optionalUrl.optional(),
    /** Bot token for chat.postMessage (a secret). */
    app_token: z.string().optional(),
    app_url: optionalUrl.default('https://slack.com/api/chat.postMessage'),
    channel: z.string().optional(),
    username: z.string().optional(),
    tls_config: tlsConfig.optional(),
  })
  .superRefine((config, ctx) => {
    if ((config.api_url === undefined) === (config.app_token === undefined))
      ctx.addIssue({
        code: 'custom',
        input: config,
        message: 'expected either api_url (a webhook) or app_token (a bot)',
      });
    if (config.app_token !== undefined && !config.channel)
      ctx.addIssue({
        code: 'custom',
        path: ['channel'],
        input: config,
        message: 'expected a channel to post to with app_token',
      });
  });

export const slackReceiver = defineReceiver<z.infer<typeof configSchema>, SlackIntegration>({
  type: 'slack',
  configSchema,
  build: (config, place) => {
    const url = config.app_token !== undefined ? config.app_url : (config.api_url ?? '');
    return {
      type: 'slack',
      ...place,
      sendResolved: config.send_resolved,
      timeoutMs: config.timeout,
      ...(url === '' || config.app_token === '' ? { disabled: 'api_url or app_token is empty' } : {}),
      url,
      ...(config.app_token ? { token: config.app_token } : {}),
      ...(config.channel ? { channel: config.channel } : {}),
      ...(config.username ? { username: config.username } : {}),
      ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
    };
  },
  send: (integration) => new SlackSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
