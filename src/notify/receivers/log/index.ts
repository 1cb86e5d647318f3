/** The `log` receiver type: one structured log line per notification, the embedded default. */
import * as z from 'zod';
import type { Integration } from '../../config/model.js';
import { unexpectedDeliveryError } from '../../delivery/delivery-error.js';
import { defineReceiver } from '../definition.js';
import { LogSender } from './sender.js';

export interface LogIntegration extends Integration {
  readonly type: 'log';
  readonly level: 'info' | 'warn' | 'error';
}

const configSchema = z.strictObject({
  send_resolved: z.boolean().default(true),
  level: z.enum(['info', 'warn', 'error']).default('warn'),
});

export const logReceiver = defineReceiver<z.infer<typeof configSchema>, LogIntegration>({
  type: 'log',
  configSchema,
  build: (config, place) => ({
    type: 'log',
    ...place,
    sendResolved: config.send_resolved,
    timeoutMs: 1_000,
    level: config.level,
  }),
  send: (integration, log) => new LogSender(integration, log),
  // Writing a log line does not fail on its own; anything thrown is a bug, reported as internal.
  classify: (error) => unexpectedDeliveryError(error),
});
