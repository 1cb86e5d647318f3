/**
 * The `opsgenie` receiver type (`opsgenie_configs`): Opsgenie's Alert API, one alert per alert
 * group (its alias is the sha256 of the group key, as Alertmanager's), created while the group
 * fires and closed by alias when it resolves. Priority follows our severity unless `priority` is
 * set. Atlassian ends Opsgenie on 2027-04-05; the API works until then. Facts:
 * docs/receivers.md#opsgenie-alert-api.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { OpsgenieSender } from './sender.js';

export const OPSGENIE_PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;

export interface OpsgenieIntegration extends Integration {
  readonly type: 'opsgenie';
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly priority?: (typeof OPSGENIE_PRIORITIES)[number];
  readonly source: string;
  readonly responders: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly tags: readonly string[];
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The API integration's key (a secret: usually ${ENV}); "" switches it off. */
  api_key: z.string({ error: 'expected the key of an Opsgenie API integration' }),
  api_url: optionalUrl.default('https://api.opsgenie.com/'),
  /** Fixed priority; by default critical is P1, warning P3, anything else P3. */
  priority: z.enum(OPSGENIE_PRIORITIES).optional(),
  source: z.string().default('prismwatch'),
  responders: z
    .array(z.strictObject({ name: z.string(), type: z.enum(['team', 'user', 'escalation', 'schedule']) }))
    .default([]),
  tags: z.array(z.string()).default([]),
  tls_config: tlsConfig.optional(),
});

export const opsgenieReceiver = defineReceiver<z.infer<typeof configSchema>, OpsgenieIntegration>({
  type: 'opsgenie',
  configSchema,
  build: (config, place) => ({
    type: 'opsgenie',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.api_key === '' || config.api_url === '' ? { disabled: 'api_key or api_url is empty' } : {}),
    apiUrl: config.api_url.replace(/\/*$/, '/'),
    apiKey: config.api_key,
    ...(config.priority ? { priority: config.priority } : {}),
    source: config.source,
    responders: config.responders,
    tags: config.tags,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new OpsgenieSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
