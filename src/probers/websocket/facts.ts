/** The `websocket` facts section: the upgrade and the messages of one WebSocket session. */
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gauge } from '../families.js';

export interface WebSocketFacts {
  /** Of the upgrade answer: 101 when it switched protocols; 0 when none came. */
  readonly statusCode: number;
  /** The subprotocol the server chose ("" for none). */
  readonly subprotocol: string;
  readonly messagesReceived: number;
  /** From the open connection (after sending, when configured) to the expected message. */
  readonly firstMessageMs?: number;
  /** The last message received, cut to 200 characters, for failure messages and reports. */
  readonly lastMessage?: string;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    websocket?: WebSocketFacts;
  }
}

export const websocketFacts = defineFacts({
  key: 'websocket',
  families: [
    gauge<WebSocketFacts>(
      'prismwatch_websocket_status_code',
      'Status of the upgrade answer: 101 when the server switched to WebSocket, 0 when none came.',
      (facts) => facts.statusCode,
    ),
    gauge<WebSocketFacts>(
      'prismwatch_websocket_first_message_seconds',
      'From the open connection (and the message sent) to the expected message.',
      (facts) => (facts.firstMessageMs === undefined ? undefined : facts.firstMessageMs / 1000),
    ),
    gauge<WebSocketFacts>(
      'prismwatch_websocket_messages_received',
      'Messages received in the last run before the expected one came (or the deadline).',
      (facts) => facts.messagesReceived,
    ),
  ],
  signals: [
    {
      name: 'websocket_first_message_seconds',
      read: (facts) => (facts.firstMessageMs === undefined ? undefined : facts.firstMessageMs / 1000),
      promql: (s) => `prismwatch_websocket_first_message_seconds${s}`,
    },
  ],
  report: (facts, out) => {
    out.row(
      'upgrade',
      `${facts.statusCode}${facts.subprotocol ? ` (subprotocol ${facts.subprotocol})` : ''}`,
    );
    out.row(
      'messages',
      `${facts.messagesReceived} received${facts.firstMessageMs === undefined ? '' : `, expected one after ${Math.round(facts.firstMessageMs)} ms`}`,
    );
    if (facts.lastMessage !== undefined) out.row('last', JSON.stringify(facts.lastMessage));
  },
  evidence: (facts) =>
    facts.firstMessageMs === undefined
      ? `upgrade ${facts.statusCode}, no expected message`
      : `message after ${Math.round(facts.firstMessageMs)} ms`,
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (facts) => ({
      html:
        facts.firstMessageMs === undefined
          ? `ws ${escapeHtml(String(facts.statusCode))}, no message`
          : `ws message ${escapeHtml(String(Math.round(facts.firstMessageMs)))} ms`,
      warn: facts.firstMessageMs === undefined,
    }),
  },
});
