/**
 * The `jira` receiver type (`jira_configs`, Alertmanager's keys where they match): an issue per
 * incident in a Jira project, found again by a label rather than remembered, so no incident ever
 * opens a second issue (not after a retry, a restart or a failover). The API token is a secret.
 * Facts: docs/receivers.md#jira.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { JiraSender } from './sender.js';

export interface JiraIntegration extends Integration {
  readonly type: 'jira';
  /** The site, https://example.atlassian.net (or a Data Center base URL). */
  readonly url: string;
  /** Authorization as sent: Basic (Cloud: email and API token) or Bearer (Data Center: a personal access token). */
  readonly authorization: string;
  readonly project: string;
  readonly issueType: string;
  readonly labels: readonly string[];
  /** A transition to apply when the incident resolves ("Done"); without one, a comment only. */
  readonly resolveTransition?: string;
  readonly tls?: TlsSettings;
}

const configSchema = z.strictObject({
  ...commonConfig,
  /** The site; "" switches the integration off. */
  api_url: optionalUrl,
  /** Jira Cloud: the account's email with an API token; Data Center: a personal access token alone. */
  user: z.string().optional(),
  api_token: z.string({ error: 'expected an API token (or a personal access token)' }).min(1),
  project: z.string({ error: 'expected the project key' }).regex(/^[A-Z][A-Z0-9_]+$/, {
    message: 'expected a project key like "OPS"',
  }),
  issue_type: z.string().default('Bug'),
  labels: z.array(z.string().regex(/^\S+$/, { message: 'expected labels without spaces' })).optional(),
  resolve_transition: z.string().optional(),
  tls_config: tlsConfig.optional(),
});

export const jiraReceiver = defineReceiver<z.infer<typeof configSchema>, JiraIntegration>({
  type: 'jira',
  configSchema,
  build: (config, place) => ({
    type: 'jira',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...(config.api_url === '' ? { disabled: 'api_url is empty' } : {}),
    url: config.api_url.replace(/\/+$/, ''),
    authorization: config.user
      ? `Basic ${Buffer.from(`${config.user}:${config.api_token}`).toString('base64')}`
      : `Bearer ${config.api_token}`,
    project: config.project,
    issueType: config.issue_type,
    labels: config.labels ?? [],
    ...(config.resolve_transition ? { resolveTransition: config.resolve_transition } : {}),
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new JiraSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
