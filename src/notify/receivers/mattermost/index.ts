/**
 * The `mattermost` receiver type (`mattermost_configs`): an incoming webhook, one attachment per
 * notification. The webhook URL is a secret. Facts: docs/receivers.md#mattermost.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { mattermostSender } from './sender.js';

export interface MattermostIntegration extends Integration {
  readonly type: 'mattermost';
  readonly url: string;
  /** Overrides the webhook's channel, user name and icon where the server allows it. */
  readonly channel?: string;
  readonly username?: string;
  readonly iconUrl?: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The incoming webhook URL (a secret: usually ${ENV}); "" switches it off. */
  webhook_url: optionalUrl,
  channel: z.string().optional(),
  username: z.string().optional(),
  icon_url: z.string().optional(),
  tls_config: tlsConfig.optional(),
});

export const mattermostReceiver = defineReceiver<z.infer<typeof configSchema>, MattermostIntegration>({
  type: 'mattermost',
  configSchema,
  build: (config, place) => ({
    type: 'mattermost',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.webhook_url === '' ? { disabled: 'webhook_url is empty' } : {}),
    url: config.webhook_url,
    ...(config.channel ? { channel: config.channel } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.icon_url ? { iconUrl: config.icon_url } : {}),
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => mattermostSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
