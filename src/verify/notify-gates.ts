/**
 * `verify --notify-test`: each integration's answer to a test notification as a gate, ticking the
 * checklist's "Email/SMS services configured" (email, sms) and "Webhook endpoints registered"
 * (webhooks and the chat and paging channels) with the answer as evidence. Opt-in: it sends real
 * messages to real people's channels, marked as a test and resolved at once where that exists.
 */
import type { NotifyTestRow } from '../notify/delivery/test-notification.js';
import type { Gate } from './gates.js';

const MESSAGE_TYPES = new Set(['email', 'sms']);

export function notifyGates(rows: readonly NotifyTestRow[]): Gate[] {
  return rows
    .filter((row) => row.outcome !== 'switched off' && row.type !== 'log')
    .map((row) => ({
      id: `notify:${row.integration}`,
      type: 'notify' as const,
      title: `${row.integration} accepts a test notification`,
      probe: row.integration,
      kind: row.type,
      status: row.outcome === 'accepted' ? ('pass' as const) : ('fail' as const),
      runs: 1,
      evidence: `${row.type}: ${row.detail}`,
      ...(row.outcome === 'rejected' ? { reason: row.detail } : {}),
      checklist: [
        MESSAGE_TYPES.has(row.type) ? 'Email/SMS services configured' : 'Webhook endpoints registered',
      ],
      measures: {},
    }));
}
