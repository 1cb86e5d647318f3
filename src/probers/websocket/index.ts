/**
 * `kind: websocket`: open a WebSocket (ws:// or wss://), optionally send a message, and expect
 * one — containing a text, matching an RE2 pattern, or JSON with given values — within the
 * deadline. The connection is opened by prismwatch's own connector (DNS, connect and TLS timed,
 * the certificate read), the upgrade and framing by the `ws` library. Phases: resolve, connect,
 * tls, processing (the upgrade), transfer (open → the expected message).
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import * as z from 'zod';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { regex, urlWithScheme } from '../../util/fields.js';
import type { LinearRegExp } from '../../util/linear-regex.js';
import { redactUrl } from '../../util/redact.js';
import { defineProber } from '../definition.js';
import { checkBody } from '../http-client/assertions.js';
import { type JsonAssertion, jsonAssertion, requestHeaders } from '../http-client/config.js';
import { network } from '../net/config.js';
import {
  createTrace,
  type ExchangeTrace,
  type IpProtocol,
  openConnection,
  type TlsOptions,
} from '../net/connect.js';
import { classifyNetworkError } from '../net/failure.js';
import { tlsFacts } from '../net/tls-section.js';
import type { WebSocketFacts } from './facts.js';
import { websocketFacts } from './facts.js';

const MAX_MESSAGE_BYTES = 1024 * 1024;

interface WebSocketSettings {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly subprotocols: readonly string[];
  readonly send?: string;
  readonly expect: { contains: string[]; regex: LinearRegExp[]; json: JsonAssertion[] };
  readonly tls: TlsOptions;
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
}

const wsUrl = urlWithScheme(['ws:', 'wss:'], 'expected a ws:// or wss:// URL');

const websocketSettingsShape = {
  url: wsUrl,
  headers: z.record(z.string(), z.string()).default({}),
  subprotocols: z
    .array(z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { message: 'expected a subprotocol token' }))
    .default([]),
  send: z.string().optional(),
  expect: z
    .strictObject({
      contains: z.array(z.string()).default([]),
      regex: z.array(regex).default([]),
      json: z.array(jsonAssertion).default([]),
    })
    .optional(),
  ...network.shape,
};

type ParsedWebSocket = z.infer<z.ZodObject<typeof websocketSettingsShape>>;

function toWebSocketSettings(raw: Record<string, unknown>): WebSocketSettings {
  const parsed = raw as ParsedWebSocket;
  return {
    url: parsed.url,
    headers: parsed.headers,
    subprotocols: parsed.subprotocols,
    send: parsed.send,
    expect: {
      contains: parsed.expect?.contains ?? [],
      regex: parsed.expect?.regex ?? [],
      json: (parsed.expect?.json ?? []) as JsonAssertion[],
    },
    ...network.settings(parsed),
  };
}

const hasExpectation = (settings: WebSocketSettings) =>
  settings.expect.contains.length + settings.expect.regex.length + settings.expect.json.length > 0;

/** Why a message is not the expected one, or undefined when it is (any message, without expectations). */
function mismatch(text: string, settings: WebSocketSettings): string | undefined {
  if (!hasExpectation(settings)) return undefined;
  return checkBody(Buffer.from(text), {
    ...settings.expect,
    notContains: [],
    notRegex: [],
    headers: new Map(),
  });
}

const cut = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

interface Session {
  statusCode: number;
  subprotocol: string;
  messages: number;
  firstMessageMs?: number;
  lastMessage?: string;
  lastMismatch?: string;
}

function runSession(
  ctx: ProbeContext,
  spec: ProbeSpec<WebSocketSettings>,
  trace: ExchangeTrace,
  session: Session,
): Promise<Failure | undefined> {
  const settings = spec.settings;
  const url = new URL(settings.url);
  const secure = url.protocol === 'wss:';
  const target = `${url.hostname}:${url.port || (secure ? 443 : 80)}`;
  return new Promise((resolve) => {
    let openedAt = 0;
    let done = false;
    const socket = new WebSocket(settings.url, [...settings.subprotocols], {
      headers: requestHeaders(settings.headers),
      perMessageDeflate: false,
      followRedirects: false,
      maxPayload: MAX_MESSAGE_BYTES,
      createConnection: ((_options: unknown, callback: (error: Error | null, socket?: unknown) => void) => {
        openConnection(
          {
            ...settings,
            hostname: url.hostname,
            port: Number(url.port) || (secure ? 443 : 80),
            signal: ctx.signal,
            now: ctx.now,
            tls: secure ? settings.tls : undefined,
            alpn: ['http/1.1'],
          },
          trace,
        ).then(
          (connected) => callback(null, connected),
          (error: Error) => callback(error),
        );
        return undefined;
      }) as never,
    });
    const finish = (failure: Failure | undefined) => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {}); // late errors of a socket being torn down are nobody's
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'prismwatch probe done');
      else socket.terminate();
      resolve(failure);
    };
    const classify = (error: unknown) =>
      classifyNetworkError(error, {
        hostname: url.hostname,
        target,
        trace,
        signal: ctx.signal,
        timeoutMs: spec.timeoutMs,
        protocol: 'WebSocket',
        waitingFor: {
          processing: 'waiting for the WebSocket upgrade',
          transfer: 'waiting for the expected message',
        },
      }) ?? {
        code: 'protocol_error' as const,
        message: `WebSocket error from ${target}: ${(error as Error).message}`,
      };
    const onAbort = () => {
      if (openedAt === 0) return finish(classify(ctx.signal.reason));
      trace.phases.transfer += ctx.now() - openedAt;
      if (session.messages === 0) {
        finish({
          code: 'timeout',
          phase: 'transfer',
          message: `no message from ${target} within the ${spec.timeoutMs}ms timeout`,
        });
      } else {
        finish({
          code: 'assertion_failed',
          message: `none of ${session.messages} message(s) was the expected one: ${session.lastMismatch} (last: ${JSON.stringify(session.lastMessage)})`,
        });
      }
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('upgrade', (response: IncomingMessage) => {
      session.statusCode = response.statusCode ?? 0;
    });
    socket.on('unexpected-response', (_request, response: IncomingMessage) => {
      session.statusCode = response.statusCode ?? 0;
      response.resume();
      finish({
        code: 'status_mismatch',
        phase: 'processing',
        message: `expected 101 Switching Protocols from ${redactUrl(url.toString().replace(/^ws/, 'http'))}, got ${session.statusCode}`,
      });
    });
    socket.on('open', () => {
      openedAt = ctx.now();
      trace.phases.processing += openedAt - (trace.readyAt ?? openedAt);
      trace.phase = 'transfer';
      session.subprotocol = socket.protocol;
      if (settings.send !== undefined) socket.send(settings.send);
      if (!hasExpectation(settings) && settings.send === undefined) finish(undefined);
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      session.messages += 1;
      const text = isBinary ? `<${(data as Buffer).length} binary bytes>` : data.toString();
      session.lastMessage = cut(text);
      const problem =
        isBinary && hasExpectation(settings) ? 'the message is binary' : mismatch(text, settings);
      if (problem) {
        session.lastMismatch = problem;
        return;
      }
      session.firstMessageMs = ctx.now() - openedAt;
      trace.phases.transfer += session.firstMessageMs;
      finish(undefined);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (openedAt > 0) trace.phases.transfer += ctx.now() - openedAt;
      finish({
        code: 'reset',
        phase: trace.phase,
        message: `${target} closed the WebSocket (${code}${reason.length > 0 ? ` ${cut(reason.toString())}` : ''}) before the expected message${session.lastMessage === undefined ? '' : ` (last: ${JSON.stringify(session.lastMessage)})`}`,
      });
    });
    socket.on('error', (error: Error) => finish(classify(error)));
  });
}

async function probeWebSocket(ctx: ProbeContext, spec: ProbeSpec<WebSocketSettings>): Promise<ProbeResult> {
  const startedAt = ctx.now();
  const trace = createTrace();
  const session: Session = { statusCode: 0, subprotocol: '', messages: 0 };
  const failure = await runSession(ctx, spec, trace, session);
  const facts: WebSocketFacts = {
    statusCode: session.statusCode,
    subprotocol: session.subprotocol,
    messagesReceived: session.messages,
    ...(session.firstMessageMs !== undefined ? { firstMessageMs: session.firstMessageMs } : {}),
    ...(session.lastMessage !== undefined ? { lastMessage: session.lastMessage } : {}),
  };
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: trace.phases,
    ...(failure ? { failure } : {}),
    facts: { websocket: facts, ...(trace.tls ? { tls: trace.tls } : {}) },
  };
}

export const websocketProber = defineProber<WebSocketSettings>({
  kind: 'websocket',
  summary: 'WebSocket (ws/wss): connect, optionally send, expect a message within the deadline',
  settingsShape: websocketSettingsShape,
  toSettings: toWebSocketSettings,
  validate: network.validate,
  describeTarget: (settings) => settings.url,
  probe: probeWebSocket,
  facts: [websocketFacts, tlsFacts],
  cli: {
    target: 'ws:// or wss:// URL',
    options: [
      { flags: '--send <text>', description: 'websocket: a message to send once open' },
      { flags: '--expect <text>', description: 'websocket: a message containing this text must arrive' },
      ...network.cliOptions,
    ],
    keys: (target, options) => ({
      url: target,
      ...(options.send !== undefined ? { send: options.send } : {}),
      ...(options.expect !== undefined ? { expect: { contains: [options.expect] } } : {}),
      ...network.cliKeys(options),
    }),
  },
  dashboard: {
    phases: true,
    panels: [
      {
        title: 'WebSocket: time to the expected message',
        type: 'timeseries',
        queries: [
          { expr: 'prismwatch_websocket_first_message_seconds{probe="$probe"}', legend: 'first message' },
        ],
        unit: 's',
        description: 'From the open connection (and the message sent) to the expected message.',
        emptyBecause: 'No WebSocket messages: not a websocket probe (or no expected message arrived)',
      },
    ],
  },
  example: `- name: live-updates
  kind: websocket
  url: wss://api.example.com/live
  send: ping
  expect: { contains: [pong] }`,
});
