/**
 * The `gotify` receiver type (`gotify_configs`): a message to a self-hosted Gotify server, as an
 * application. The application token is a secret. Facts: docs/receivers.md#gotify.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { GotifySender } from './sender.js';

export interface GotifyIntegration extends Integration {
  readonly type: 'gotify';
  /** The server's base URL; messages go to <url>/message. */
  readonly url: string;
  readonly token: string;
  /** Gotify priorities (0–10) by severity; a resolution goes at `resolved`. */
  readonly priorities: { readonly critical: number; readonly warning: number; readonly resolved: number };
  readonly tls?: TlsSettings;
}

const priority = z.number().int().min(0).max(10);

const configSchema = z.strictObject({
  ...commonConfig,
  /** The Gotify server; "" switches the integration off. */
  url: optionalUrl,
  /** The application's token (a secret: usually ${ENV}). */
  token: z.string({ error: "expected the application's token" }).min(1),
  priority: z
    .strictObject({
      critical: priority.default(8),
      warning: priority.default(5),
      resolved: priority.default(2),
    })
    .optional(),
  tls_config: tlsConfig.optional(),
});

export const gotifyReceiver = defineReceiver<z.infer<typeof configSchema>, GotifyIntegration>({
  type: 'gotify',
  configSchema,
  build: (config, place) => ({
    type: 'gotify',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.url === '' ? { disabled: 'url is empty' } : {}),
    url: config.url,
    token: config.token,
    priorities: {
      critical: config.priority?.critical ?? 8,
      warning: config.priority?.warning ?? 5,
      resolved: config.priority?.resolved ?? 2,
    },
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new GotifySender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
