/**
 * The `pagerduty` receiver type, in Alertmanager's vocabulary (`pagerduty_configs`): Events API v2,
 * a trigger while the group fires and a resolve when it has all resolved, both keyed by one
 * `dedup_key` per alert group, so PagerDuty opens one incident and closes that one. Severity follows
 * ours unless `severity` is set. Facts on the API: docs/receivers.md#pagerduty-events-api-v2.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { PagerDutySender } from './sender.js';

export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

export interface PagerDutyIntegration extends Integration {
  readonly type: 'pagerduty';
  readonly url: string;
  readonly routingKey: string;
  readonly severity?: (typeof PAGERDUTY_SEVERITIES)[number];
  readonly client: string;
  readonly source: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The integration's routing key (a secret: usually ${ENV}); "" switches it off. */
  routing_key: z.string({ error: 'expected the routing key of a PagerDuty Events API v2 integration' }),
  url: optionalUrl.default('https://events.pagerduty.com/v2/enqueue'),
  /** Fixed severity; by default critical and warning alerts map to the same, anything else to error. */
  severity: z.enum(PAGERDUTY_SEVERITIES).optional(),
  client: z.string().default('prismwatch'),
  source: z.string().default('prismwatch'),
  tls_config: tlsConfig.optional(),
});

export const pagerdutyReceiver = defineReceiver<z.infer<typeof configSchema>, PagerDutyIntegration>({
  type: 'pagerduty',
  configSchema,
  build: (config, place) => ({
    type: 'pagerduty',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.routing_key === '' || config.url === '' ? { disabled: 'routing_key or url is empty' } : {}),
    url: config.url,
    routingKey: config.routing_key,
    ...(config.severity ? { severity: config.severity } : {}),
    client: config.client,
    source: config.source,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new PagerDutySender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
