/**
 * The `incidentio` receiver type (`incidentio_configs`): alert events to an incident.io HTTP
 * alert source. The token is a secret. Facts: docs/receivers.md#incidentio-alert-events.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { IncidentIoSender } from './sender.js';

export interface IncidentIoIntegration extends Integration {
  readonly type: 'incidentio';
  /** The alert source's events URL: <api_url>/v2/alert_events/http/<alert_source_config_id>. */
  readonly url: string;
  readonly token: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The HTTP alert source's id (from its settings in incident.io). */
  alert_source_config_id: z
    .string({ error: "expected the alert source's config id" })
    .regex(/^[A-Za-z0-9]{10,40}$/, { message: "expected the alert source's config id (letters and digits)" }),
  /** The source's token (a secret: usually ${ENV}). */
  token: z.string({ error: "expected the alert source's token" }).min(1),
  /** "" switches the integration off. */
  api_url: optionalUrl.default('https://api.incident.io'),
  tls_config: tlsConfig.optional(),
});

export const incidentIoReceiver = defineReceiver<z.infer<typeof configSchema>, IncidentIoIntegration>({
  type: 'incidentio',
  configSchema,
  build: (config, place) => ({
    type: 'incidentio',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.api_url === '' ? { disabled: 'api_url is empty' } : {}),
    url: `${config.api_url.replace(/\/+$/, '')}/v2/alert_events/http/${config.alert_source_config_id}`,
    token: config.token,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new IncidentIoSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
