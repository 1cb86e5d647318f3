/**
 * The `pushover` receiver type (`pushover_configs`, Alertmanager's keys): a push through
 * Pushover's Messages API. The application token and the user key are secrets. Facts:
 * docs/receivers.md#pushover.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { PushoverSender } from './sender.js';

export interface PushoverIntegration extends Integration {
  readonly type: 'pushover';
  readonly url: string;
  readonly token: string;
  readonly userKey: string;
  /** Pushover priorities (-2 to 2) by severity; 2 (emergency) repeats until acknowledged in the app. */
  readonly priorities: { readonly critical: number; readonly warning: number; readonly resolved: number };
  readonly tls?: TlsSettings;
}

const priority = z.number().int().min(-2).max(2);

const configSchema = z.strictObject({
  ...commonConfig,
  /** The application's API token (a secret: usually ${ENV}). */
  token: z.string({ error: "expected the application's API token" }).min(1),
  /** The user (or group) key to notify (a secret). */
  user_key: z.string({ error: 'expected the user or group key' }).min(1),
  priority: z
    .strictObject({
      critical: priority.default(1),
      warning: priority.default(0),
      resolved: priority.default(-1),
    })
    .optional(),
  /** "" switches the integration off. */
  api_url: optionalUrl.default('https://api.pushover.net/1/messages.json'),
  tls_config: tlsConfig.optional(),
});

export const pushoverReceiver = defineReceiver<z.infer<typeof configSchema>, PushoverIntegration>({
  type: 'pushover',
  configSchema,
  build: (config, place) => ({
    type: 'pushover',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.api_url === '' ? { disabled: 'api_url is empty' } : {}),
    url: config.api_url,
    token: config.token,
    userKey: config.user_key,
    priorities: {
      critical: config.priority?.critical ?? 1,
      warning: config.priority?.warning ?? 0,
      resolved: config.priority?.resolved ?? -1,
    },
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new PushoverSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
