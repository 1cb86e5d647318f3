/**
 * The `sms` receiver type (`sms_configs`; Alertmanager has none): Twilio's Messages API, one text
 * to one number per config block, so a retry can never text a number twice (list one block per
 * person). The auth token is a secret. Facts: docs/receivers.md#sms-through-twilio.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { SmsSender } from './sender.js';

export interface SmsIntegration extends Integration {
  readonly type: 'sms';
  readonly apiUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string;
  readonly to: string;
  readonly tls?: TlsSettings;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const phone = z.string().refine((value) => value === '' || E164.test(value), {
  message: 'expected a phone number in E.164 form, like +4915112345678',
});

const configSchema = z.strictObject({
  ...commonConfig,
  account_sid: z.string({ error: 'expected the Twilio account SID' }),
  /** The account's auth token (a secret: usually ${ENV}); "" switches it off. */
  auth_token: z.string({ error: 'expected the Twilio auth token' }),
  from: phone,
  to: phone,
  api_url: optionalUrl.default('https://api.twilio.com'),
  tls_config: tlsConfig.optional(),
});

export const smsReceiver = defineReceiver<z.infer<typeof configSchema>, SmsIntegration>({
  type: 'sms',
  configSchema,
  build: (config, place) => ({
    type: 'sms',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: config.timeout,
    ...([config.account_sid, config.auth_token, config.to, config.from, config.api_url].includes('')
      ? { disabled: 'account_sid, auth_token, from, to or api_url is empty' }
      : {}),
    apiUrl: config.api_url.replace(/\/+$/, ''),
    accountSid: config.account_sid,
    authToken: config.auth_token,
    from: config.from,
    to: config.to,
    ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
  }),
  send: (integration) => new SmsSender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
