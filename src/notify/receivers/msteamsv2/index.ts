/**
 * The `msteamsv2` receiver type (`msteamsv2_configs`, Alertmanager's name): a Teams Workflows
 * webhook ("When a Teams webhook request is received"), which takes Adaptive Cards only. The
 * retired Office 365 connector (MessageCard, `msteams_configs`) is not supported: its URLs stopped
 * working, and Workflows rejects its cards. Facts: docs/receivers.md#microsoft-teams-workflows.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { TeamsSender } from './sender.js';

export interface TeamsIntegration extends Integration {
  readonly type: 'msteamsv2';
  /** The Workflows webhook URL (a secret). */
  readonly url: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The Workflows webhook URL (a secret: usually ${ENV}); "" switches the integration off. */
  webhook_url: optionalUrl,
  tls_config: tlsConfig.optional(),
});

export const teamsReceiver = defineReceiver<z.infer<typeof configSchema>, TeamsIntegration>({
  type: 'msteamsv2',
  configSchema,
  build: (config, place) => ({
    type: 'msteamsv2',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.webhook_url === '' ? { disabled: 'webhook_url is empty' } : {}),
    url: config.webhook_url,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new TeamsSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
