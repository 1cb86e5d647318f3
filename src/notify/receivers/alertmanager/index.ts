/**
 * The `alertmanager` receiver type: forwards alerts to Alertmanager's /api/v2/alerts as Prometheus
 * does, so an Alertmanager cluster can take over grouping, dedup, silences and HA. Delivery is the
 * forwarder's (notify/receivers/alertmanager/forwarder.ts), not the outbox's: active alerts are re-sent
 * every resend_interval until they resolve.
 */
import * as z from 'zod';
import { durationMs } from '../../../util/fields.js';
import type { ForwardTarget } from '../../config/model.js';
import { defineForwarder } from '../definition.js';
import { optionalUrl } from '../receiver-options.js';

const configSchema = z.strictObject({
  urls: z.array(optionalUrl, { error: 'expected a list of Alertmanager base URLs' }),
  timeout: durationMs({ minMs: 10 }).default(10_000),
  /** How often active alerts are sent again (Prometheus's --rules.alert.resend-delay). */
  resend_interval: durationMs({ minMs: 100 }).default(60_000),
});

export const alertmanagerReceiver = defineForwarder<z.infer<typeof configSchema>>({
  type: 'alertmanager',
  configSchema,
  forwards: true,
  build: (config, place): ForwardTarget => {
    const urls = config.urls.filter((url) => url !== '');
    return {
      ...place,
      type: 'alertmanager',
      urls,
      timeoutMs: config.timeout,
      resendIntervalMs: config.resend_interval,
      ...(urls.length === 0 ? { disabled: 'urls are empty' } : {}),
    };
  },
});
