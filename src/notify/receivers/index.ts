/**
 * The table of receiver types: one line per type, each a definition from its own folder. The
 * routing schema (`<type>_configs` keys), the builder and delivery read it; nothing else names a
 * type. Adding a type is a folder and a line here (README, "Adding a receiver type").
 */
import type { ReceiverType } from './definition.js';
import { emailReceiver } from './email/index.js';
import { logReceiver } from './log/index.js';
import { webhookReceiver } from './webhook/index.js';

export const RECEIVERS: readonly ReceiverType[] = [emailReceiver, webhookReceiver, logReceiver];

export function receiverTypeOf(type: string): ReceiverType | undefined {
  return RECEIVERS.find((receiver) => receiver.type === type);
}
