/**
 * The `matrix` receiver type (`matrix_configs`): a message in a Matrix room, sent through the
 * client-server API as a bot user. The access token is a secret. Facts: docs/receivers.md#matrix.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { MatrixSender } from './sender.js';

export interface MatrixIntegration extends Integration {
  readonly type: 'matrix';
  /** The homeserver's base URL (https://matrix.example.org). */
  readonly url: string;
  /** The room's id (!abc:example.org), which the bot has joined. */
  readonly roomId: string;
  readonly accessToken: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The homeserver; "" switches the integration off. */
  homeserver_url: optionalUrl,
  room_id: z
    .string({ error: 'expected a room id like "!abcdef:example.org"' })
    .regex(/^![^:]+:.+$/, { message: 'expected a room id like "!abcdef:example.org" (not an alias)' }),
  /** The bot user's access token (a secret: usually ${ENV}). */
  access_token: z.string({ error: "expected the bot user's access token" }).min(1),
  tls_config: tlsConfig.optional(),
});

export const matrixReceiver = defineReceiver<z.infer<typeof configSchema>, MatrixIntegration>({
  type: 'matrix',
  configSchema,
  build: (config, place) => ({
    type: 'matrix',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.homeserver_url === '' ? { disabled: 'homeserver_url is empty' } : {}),
    url: config.homeserver_url,
    roomId: config.room_id,
    accessToken: config.access_token,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new MatrixSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
