/**
 * Loopback stand-ins for chat and paging vendors: each records requests, checks what the real
 * service checks (method, content type, auth, required fields, size limits: see
 * docs/receivers.md) and answers as it answers, or with the replies a test scripts
 * (429 with its retry hint, 5xx, a 400 with the vendor's error text).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withHttpServer } from './servers.js';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
  readonly at: number;
}

export interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface StandIn {
  readonly url: string;
  readonly requests: Recorded[];
  /** Replies used in order, before the vendor's normal answer. */
  readonly script: Reply[];
  /** Contract breaches seen: a test expects none. */
  readonly problems: string[];
}

async function standIn(
  check: (request: Recorded) => string[],
  normal: (request: Recorded) => Reply,
  invalid: (problems: string[]) => Reply,
  path = '/',
): Promise<StandIn> {
  const state: Omit<StandIn, 'url'> = { requests: [], script: [], problems: [] };
  const server = await withHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        text,
        json,
        at: Date.now(),
      };
      state.requests.push(request);
      const problems = check(request);
      state.problems.push(...problems);
      const reply = problems.length > 0 ? invalid(problems) : (state.script.shift() ?? normal(request));
      res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
    });
  });
  return { url: `${server.url}${path}`, ...state } as StandIn;
}

const isJson = (request: Recorded) =>
  String(request.headers['content-type'] ?? '').startsWith('application/json') && request.json !== undefined;

/** Slack: an incoming webhook (answers `ok`) or chat.postMessage with a bot token (answers JSON). */
export function slackStandIn(mode: 'webhook' | 'bot' = 'webhook'): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST') problems.push(`method ${request.method}`);
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      const attachments = body.attachments as Array<Record<string, unknown>> | undefined;
      if (!body.text && !attachments?.length) problems.push('no text and no attachments');
      for (const attachment of attachments ?? []) {
        if ([...String(attachment.title ?? '')].length > 1024) problems.push('title over 1024');
        if ([...String(attachment.text ?? '')].length > 40_000) problems.push('text over 40000');
      }
      if (mode === 'bot') {
        if (!/^Bearer xox[bp]-/.test(String(request.headers.authorization ?? '')))
          problems.push('no bot token');
        if (!body.channel) problems.push('no channel');
      }
      return problems;
    },
    () =>
      mode === 'bot'
        ? { status: 200, body: '{"ok":true,"channel":"C1","ts":"1.1"}' }
        : { status: 200, body: 'ok' },
    () =>
      mode === 'bot'
        ? { status: 200, body: '{"ok":false,"error":"invalid_arguments"}' }
        : { status: 400, body: 'invalid_payload' },
    mode === 'bot' ? '/api/chat.postMessage' : '/services/T000/B000/XXXX',
  );
}

const PD_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** PagerDuty Events API v2 (/v2/enqueue). */
export function pagerdutyStandIn(): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || request.path !== '/v2/enqueue')
        problems.push(`${request.method} ${request.path}`);
      if (!isJson(request)) problems.push('not JSON');
      const event = request.json ?? {};
      if (typeof event.routing_key !== 'string' || event.routing_key.length !== 32)
        problems.push('routing_key');
      if (!['trigger', 'acknowledge', 'resolve'].includes(String(event.event_action)))
        problems.push('event_action');
      if (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255) problems.push('dedup_key');
      if (event.event_action === 'trigger') {
        const payload = (event.payload ?? {}) as Record<string, unknown>;
        if (!payload.summary || [...String(payload.summary)].length > 1024) problems.push('payload.summary');
        if (!payload.source) problems.push('payload.source');
        if (!PD_SEVERITIES.has(String(payload.severity))) problems.push('payload.severity');
      }
      if (Buffer.byteLength(request.text) > 512_000) problems.push('over 512 KB');
      return problems;
    },
    (request) => ({
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status: 'success',
        message: 'Event processed',
        dedup_key: request.json?.dedup_key,
      }),
    }),
    (problems) => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: problems }),
    }),
    '/v2/enqueue',
  );
}

/** Teams Workflows: one Adaptive Card in a `message`, under 28 KB; answers 202. */
export function teamsStandIn(): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || !isJson(request)) problems.push('not a JSON POST');
      const body = request.json ?? {};
      const attachments = body.attachments as Array<Record<string, unknown>> | undefined;
      if (body.type !== 'message' || attachments?.length !== 1)
        problems.push('not one attachment in a message');
      if (attachments?.[0]?.contentType !== 'application/vnd.microsoft.card.adaptive')
        problems.push('not an Adaptive Card');
      if ((attachments?.[0]?.content as Record<string, unknown> | undefined)?.type !== 'AdaptiveCard')
        problems.push('content');
      if (Buffer.byteLength(request.text) > 28_000) problems.push('over 28 KB');
      return problems;
    },
    () => ({ status: 202, body: '' }),
    (problems) => ({ status: 400, body: `Bad request: ${problems.join(', ')}` }),
    '/workflows/abc/triggers/manual/paths/invoke',
  );
}

/** Opsgenie Alert API: GenieKey, create with message ≤ 130, close and acknowledge by alias; answers 202. */
export function opsgenieStandIn(): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (!/^GenieKey \S+/.test(String(request.headers.authorization ?? ''))) problems.push('no GenieKey');
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (request.path === '/v2/alerts') {
        if (!body.message || [...String(body.message)].length > 130) problems.push('message');
        if (!body.alias || String(body.alias).length > 512) problems.push('alias');
        if (!/^P[1-5]$/.test(String(body.priority))) problems.push('priority');
      } else if (!/^\/v2\/alerts\/[^/]+\/(close|acknowledge)\?identifierType=alias$/.test(request.path)) {
        problems.push(`path ${request.path}`);
      }
      return problems;
    },
    () => ({ status: 202, body: '{"result":"Request will be processed","took":0.1,"requestId":"r1"}' }),
    (problems) => ({ status: 422, body: JSON.stringify({ message: problems.join(', '), took: 0 }) }),
  );
}

/** Telegram Bot API sendMessage: ≤ 4,096 characters; answers {"ok":true}. */
export function telegramStandIn(token: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.path !== `/bot${token}/sendMessage`) problems.push(`path ${request.path}`);
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (typeof body.chat_id !== 'number') problems.push('chat_id');
      if (!body.text || [...String(body.text)].length > 4096) problems.push('text');
      if (body.parse_mode === 'HTML' && /<(?!\/?b>)/.test(String(body.text))) problems.push('unescaped HTML');
      return problems;
    },
    () => ({ status: 200, body: '{"ok":true,"result":{"message_id":1}}' }),
    (problems) => ({
      status: 400,
      body: JSON.stringify({
        ok: false,
        error_code: 400,
        description: `Bad Request: ${problems.join(', ')}`,
      }),
    }),
  );
}

/** Discord webhook: embeds ≤ 10, title ≤ 256, description ≤ 4,096, all ≤ 6,000; answers 204. */
export function discordStandIn(): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (!isJson(request)) problems.push('not JSON');
      const embeds = (request.json?.embeds ?? []) as Array<Record<string, unknown>>;
      if (embeds.length === 0 || embeds.length > 10) problems.push('embeds');
      let total = 0;
      for (const embed of embeds) {
        const title = [...String(embed.title ?? '')].length;
        const description = [...String(embed.description ?? '')].length;
        if (title > 256) problems.push('title');
        if (description > 4096) problems.push('description');
        total += title + description;
      }
      if (total > 6000) problems.push('over 6000');
      return problems;
    },
    () => ({ status: 204 }),
    (problems) => ({
      status: 400,
      body: JSON.stringify({ message: 'Invalid Form Body', code: 50035, errors: problems }),
    }),
    '/api/webhooks/1/token',
  );
}

/** Twilio Messages API: form-encoded, Basic auth, E.164 To, Body ≤ 1,600; answers 201 queued. */
export function twilioStandIn(sid: string, token: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.path !== `/2010-04-01/Accounts/${sid}/Messages.json`) problems.push(`path ${request.path}`);
      if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
        problems.push('not a form');
      if (request.headers.authorization !== `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`)
        problems.push('auth');
      const form = new URLSearchParams(request.text);
      if (!/^\+[1-9]\d{6,14}$/.test(form.get('To') ?? '')) problems.push('To');
      if (!form.get('Body') || [...(form.get('Body') ?? '')].length > 1600) problems.push('Body');
      return problems;
    },
    () => ({ status: 201, body: '{"sid":"SM1","status":"queued"}' }),
    (problems) => ({
      status: 400,
      body: JSON.stringify({ code: 21211, message: `Invalid request: ${problems.join(', ')}`, status: 400 }),
    }),
  );
}

/**
 * ntfy: JSON published to the server root (`topic` in the body), message ≤ 4,096 bytes, priority
 * 1–5, tags a list of strings; with `token`, only `Authorization: Bearer <token>` may publish
 * (401 `{"code":40101,…}` otherwise). Answers 200 with the message as stored.
 */
export function ntfyStandIn(token?: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || request.path !== '/') problems.push('not POST /');
      if (request.json === undefined) problems.push('not JSON');
      const body = request.json ?? {};
      if (typeof body.topic !== 'string' || !/^[-_A-Za-z0-9]{1,64}$/.test(body.topic)) problems.push('topic');
      if (Buffer.byteLength(String(body.message ?? '')) > 4096) problems.push('message over 4096 bytes');
      if (body.priority !== undefined && ![1, 2, 3, 4, 5].includes(body.priority as number))
        problems.push('priority');
      if (
        body.tags !== undefined &&
        !(Array.isArray(body.tags) && body.tags.every((tag) => typeof tag === 'string'))
      )
        problems.push('tags');
      return problems;
    },
    (request) =>
      token !== undefined && request.headers.authorization !== `Bearer ${token}`
        ? { status: 401, body: '{"code":40101,"http":401,"error":"unauthorized"}' }
        : { status: 200, body: JSON.stringify({ id: 'x1', event: 'message', topic: request.json?.topic }) },
    (problems) => ({
      status: 400,
      body: JSON.stringify({ code: 40001, http: 400, error: problems.join(', ') }),
    }),
  );
}

/**
 * Gotify: `POST /message` with the application token in `X-Gotify-Key`, JSON with a message and
 * an integer priority; 401 with Gotify's error JSON for any other token. Answers 200 with the
 * stored message.
 */
export function gotifyStandIn(token: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || request.path !== '/message') problems.push('not POST /message');
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (typeof body.message !== 'string' || body.message === '') problems.push('message');
      if (body.priority !== undefined && !Number.isInteger(body.priority)) problems.push('priority');
      if (String(request.path).includes('token=')) problems.push('token in the URL');
      return problems;
    },
    (request) =>
      request.headers['x-gotify-key'] !== token
        ? {
            status: 401,
            body: '{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token or user credentials to access this api"}',
          }
        : {
            status: 200,
            body: JSON.stringify({ id: 1, appid: 1, ...request.json, date: new Date().toISOString() }),
          },
    (problems) => ({
      status: 400,
      body: JSON.stringify({ error: 'Bad Request', errorCode: 400, errorDescription: problems.join(', ') }),
    }),
  );
}

/**
 * The check both Slack-shaped incoming webhooks make (Mattermost, Rocket.Chat): JSON with text or
 * attachments, and at most `maxChars` characters of text and attachment text together.
 */
function attachmentProblems(request: Recorded, maxChars: number): string[] {
  const problems: string[] = [];
  if (!isJson(request)) problems.push('not JSON');
  const body = request.json ?? {};
  const attachments = (body.attachments ?? []) as Array<Record<string, unknown>>;
  if (!body.text && attachments.length === 0) problems.push('No text specified');
  const size =
    [...String(body.text ?? '')].length +
    attachments.reduce((sum, a) => sum + [...String(a.text ?? '')].length, 0);
  if (size > maxChars) problems.push(`over ${maxChars}`);
  return problems;
}

/** Mattermost incoming webhook: Slack-shaped JSON with text or attachments, a post ≤ 16,383 characters; answers `ok`. */
export function mattermostStandIn(): Promise<StandIn> {
  return standIn(
    (request) => attachmentProblems(request, 16_383),
    () => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } }),
    (problems) => ({
      status: 400,
      body: JSON.stringify({
        id: 'web.incoming_webhook.text.app_error',
        message: problems.join(', '),
        status_code: 400,
      }),
    }),
    '/hooks/xyzsecret',
  );
}

/**
 * Google Chat space webhook: `?key=…&token=…` in the URL, JSON `{text}` ≤ 4,096 characters, an
 * optional `thread.threadKey` (then `messageReplyOption` must say what to do); answers 200 with
 * the message resource.
 */
export function googleChatStandIn(): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      const url = new URL(request.path, 'http://x');
      if (url.searchParams.get('key') !== 'chat-key' || url.searchParams.get('token') !== 'chat-token')
        problems.push('key or token');
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (typeof body.text !== 'string' || body.text === '') problems.push('text');
      if ([...String(body.text ?? '')].length > 4096) problems.push('text over 4096');
      if (body.thread && url.searchParams.get('messageReplyOption') === null)
        problems.push('thread without messageReplyOption');
      return problems;
    },
    (request) => ({
      status: 200,
      body: JSON.stringify({
        name: 'spaces/AAA/messages/1',
        text: request.json?.text,
        thread: { name: 'spaces/AAA/threads/t1' },
      }),
    }),
    (problems) => ({
      status: 400,
      body: JSON.stringify({
        error: {
          code: 400,
          message: `Invalid JSON payload: ${problems.join(', ')}`,
          status: 'INVALID_ARGUMENT',
        },
      }),
    }),
    '/v1/spaces/AAA/messages?key=chat-key&token=chat-token',
  );
}

/**
 * A Matrix homeserver's send endpoint: `PUT /_matrix/client/v3/rooms/<room>/send/m.room.message/<txnId>`
 * with `Authorization: Bearer <token>`, an `m.text` body; the same txnId again is the same event
 * (answered with its event_id, not stored twice). 401 `M_UNKNOWN_TOKEN` for another token.
 */
export function matrixStandIn(token: string, roomId = '!ops:example.org'): Promise<StandIn> {
  const events = new Map<string, string>();
  return standIn(
    (request) => {
      const problems: string[] = [];
      const prefix = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/`;
      if (
        request.method !== 'PUT' ||
        !request.path.startsWith(prefix) ||
        request.path.length === prefix.length
      )
        problems.push('not PUT to the room with a txnId');
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (body.msgtype !== 'm.text' || typeof body.body !== 'string') problems.push('m.text body');
      if (body.format !== undefined && body.format !== 'org.matrix.custom.html') problems.push('format');
      if (Buffer.byteLength(request.text) > 65_536) problems.push('event over 64 KiB');
      return problems;
    },
    (request) => {
      if (request.headers.authorization !== `Bearer ${token}`)
        return { status: 401, body: '{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token passed."}' };
      const txn = request.path.slice(request.path.lastIndexOf('/') + 1);
      if (!events.has(txn)) events.set(txn, `$event${events.size + 1}`);
      return { status: 200, body: JSON.stringify({ event_id: events.get(txn) }) };
    },
    (problems) => ({
      status: 400,
      body: JSON.stringify({ errcode: 'M_BAD_JSON', error: problems.join(', ') }),
    }),
  );
}

/**
 * incident.io's HTTP alert source: `POST /v2/alert_events/http/<id>` with a bearer token, JSON
 * with title, status firing|resolved and a deduplication_key; answers 202. 401 for another token,
 * 422 with `errors[].message` for a bad event.
 */
export function incidentIoStandIn(sourceId: string, token: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || request.path !== `/v2/alert_events/http/${sourceId}`)
        problems.push('path');
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (typeof body.title !== 'string' || body.title === '' || body.title.length > 255)
        problems.push('title');
      if (body.status !== 'firing' && body.status !== 'resolved') problems.push('status');
      if (typeof body.deduplication_key !== 'string' || body.deduplication_key === '')
        problems.push('deduplication_key');
      return problems;
    },
    (request) =>
      request.headers.authorization !== `Bearer ${token}`
        ? {
            status: 401,
            body: '{"type":"authentication_error","status":401,"errors":[{"code":"unauthenticated","message":"Invalid API key"}]}',
          }
        : {
            status: 202,
            body: JSON.stringify({
              status: 'success',
              message: 'Event accepted for processing',
              deduplication_key: request.json?.deduplication_key,
            }),
          },
    (problems) => ({
      status: 422,
      body: JSON.stringify({
        type: 'validation_error',
        status: 422,
        errors: problems.map((field) => ({
          code: 'invalid',
          message: `invalid ${field}`,
          source: { field },
        })),
      }),
    }),
  );
}

/**
 * Pushover's Messages API: JSON with token and user, message ≤ 1,024 and title ≤ 250 characters,
 * priority -2..2 (2 needs retry ≥ 30 and expire ≤ 10800); answers `{status: 1}`, or 400
 * `{status: 0, errors}` for an unknown token.
 */
export function pushoverStandIn(token: string, user: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || request.path !== '/1/messages.json') problems.push('path');
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (typeof body.message !== 'string' || body.message === '' || [...body.message].length > 1024)
        problems.push('message');
      if (body.title !== undefined && [...String(body.title)].length > 250) problems.push('title');
      const priority = body.priority as number | undefined;
      if (priority !== undefined && ![-2, -1, 0, 1, 2].includes(priority)) problems.push('priority');
      if (priority === 2 && !((body.retry as number) >= 30 && (body.expire as number) <= 10_800))
        problems.push('retry and expire');
      return problems;
    },
    (request) =>
      request.json?.token !== token || request.json?.user !== user
        ? {
            status: 400,
            body: JSON.stringify({
              token: 'invalid',
              errors: ['application token is invalid'],
              status: 0,
              request: 'r1',
            }),
          }
        : { status: 200, body: JSON.stringify({ status: 1, request: 'r2' }) },
    (problems) => ({ status: 400, body: JSON.stringify({ errors: problems, status: 0, request: 'r3' }) }),
    '/1/messages.json',
  );
}

/** A Rocket.Chat incoming webhook integration: Slack-shaped JSON, text ≤ 5,000 characters; answers `{success: true}`. */
export function rocketChatStandIn(): Promise<StandIn> {
  return standIn(
    (request) => attachmentProblems(request, 5_000),
    () => ({ status: 200, body: '{"success":true}' }),
    (problems) => ({ status: 400, body: JSON.stringify({ success: false, error: problems.join(', ') }) }),
    '/hooks/abc123/secrettoken',
  );
}

/** Webex messages API: bearer token, JSON with roomId and markdown ≤ 7,439 bytes; 401 for another token. */
export function webexStandIn(token: string, roomId: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || request.path !== '/v1/messages') problems.push('path');
      if (!isJson(request)) problems.push('not JSON');
      const body = request.json ?? {};
      if (body.roomId !== roomId) problems.push('roomId');
      if (typeof body.markdown !== 'string' && typeof body.text !== 'string')
        problems.push('text or markdown');
      if (Buffer.byteLength(String(body.markdown ?? '')) > 7_439) problems.push('markdown over 7439 bytes');
      return problems;
    },
    (request) =>
      request.headers.authorization !== `Bearer ${token}`
        ? {
            status: 401,
            body: '{"message":"The request requires a valid access token set in the Authorization request header.","trackingId":"t1"}',
          }
        : { status: 200, body: JSON.stringify({ id: 'm1', roomId, markdown: request.json?.markdown }) },
    (problems) => ({ status: 400, body: JSON.stringify({ message: problems.join(', '), trackingId: 't2' }) }),
    '/v1/messages',
  );
}

/**
 * Zulip's send-message endpoint: form-encoded `type=stream`, `to`, `topic` (≤ 60 characters),
 * `content` (≤ 10,000 bytes) with Basic auth as the bot; `{result: "error", code:
 * "INVALID_API_KEY"}` for another key.
 */
export function zulipStandIn(email: string, key: string): Promise<StandIn> {
  return standIn(
    (request) => {
      const problems: string[] = [];
      if (request.method !== 'POST' || request.path !== '/api/v1/messages') problems.push('path');
      if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
        problems.push('not a form');
      const form = new URLSearchParams(request.text);
      if (form.get('type') !== 'stream' && form.get('type') !== 'channel') problems.push('type');
      if (!form.get('to')) problems.push('to');
      const topic = form.get('topic') ?? '';
      if (topic === '' || [...topic].length > 60) problems.push('topic');
      if (Buffer.byteLength(form.get('content') ?? '') > 10_000 || !form.get('content'))
        problems.push('content');
      return problems;
    },
    (request) =>
      request.headers.authorization !== `Basic ${Buffer.from(`${email}:${key}`).toString('base64')}`
        ? { status: 401, body: '{"result":"error","msg":"Invalid API key","code":"INVALID_API_KEY"}' }
        : { status: 200, body: '{"result":"success","msg":"","id":42}' },
    (problems) => ({
      status: 400,
      body: JSON.stringify({ result: 'error', msg: problems.join(', '), code: 'BAD_REQUEST' }),
    }),
  );
}

/** A Jira site's issues, as the jira stand-in keeps them. */
export interface JiraIssue {
  readonly key: string;
  readonly fields: Record<string, unknown>;
  readonly comments: string[];
  done: boolean;
}

/**
 * A Jira site with the API a receiver uses: search by JQL (labels and statusCategory), create an
 * issue, comment, list and apply transitions. `lostAnswers` makes the next creates succeed but
 * answer 503, as a reply lost on the way would.
 */
export async function jiraStandIn(
  authorization: string,
): Promise<StandIn & { readonly issues: JiraIssue[]; lostAnswers: number }> {
  const issues: JiraIssue[] = [];
  const state = { lostAnswers: 0 };
  const base = await standIn(
    (request) => {
      const problems: string[] = [];
      if (request.headers.authorization !== authorization) problems.push('auth');
      if (request.method === 'POST' && !isJson(request)) problems.push('not JSON');
      if (request.method === 'POST' && request.path === '/rest/api/2/issue') {
        const fields = (request.json?.fields ?? {}) as Record<string, unknown>;
        if (!(fields.project as { key?: string } | undefined)?.key) problems.push('project');
        if (typeof fields.summary !== 'string' || fields.summary.length > 255 || /\n/.test(fields.summary))
          problems.push('summary');
        if (!Array.isArray(fields.labels) || fields.labels.some((label) => /\s/.test(String(label))))
          problems.push('labels');
      }
      return problems;
    },
    (request) => {
      const url = new URL(request.path, 'http://x');
      if (request.method === 'GET' && /\/rest\/api\/(2\/search|3\/search\/jql)$/.test(url.pathname)) {
        const jql = url.searchParams.get('jql') ?? '';
        const label = /labels = "([^"]+)"/.exec(jql)?.[1];
        const open = jql.includes('statusCategory != Done');
        const found = issues
          .filter(
            (issue) => (issue.fields.labels as string[]).includes(label ?? '') && (!open || !issue.done),
          )
          .reverse();
        return {
          status: 200,
          body: JSON.stringify({ issues: found.slice(0, 1).map((issue) => ({ key: issue.key })) }),
        };
      }
      if (request.method === 'POST' && url.pathname === '/rest/api/2/issue') {
        const issue = {
          key: `OPS-${issues.length + 1}`,
          fields: request.json!.fields as Record<string, unknown>,
          comments: [],
          done: false,
        };
        issues.push(issue);
        if (state.lostAnswers > 0) {
          state.lostAnswers--;
          return { status: 503, body: 'upstream timed out' };
        }
        return { status: 201, body: JSON.stringify({ id: '1', key: issue.key }) };
      }
      const match = /^\/rest\/api\/2\/issue\/([^/]+)\/(comment|transitions)$/.exec(url.pathname);
      const issue = match && issues.find((candidate) => candidate.key === decodeURIComponent(match[1]!));
      if (!issue)
        return {
          status: 404,
          body: '{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}',
        };
      if (match![2] === 'comment') {
        issue.comments.push(String(request.json?.body ?? ''));
        return { status: 201, body: '{"id":"10000"}' };
      }
      if (request.method === 'GET')
        return {
          status: 200,
          body: '{"transitions":[{"id":"11","name":"In Progress"},{"id":"31","name":"Done"}]}',
        };
      if ((request.json?.transition as { id?: string } | undefined)?.id === '31') issue.done = true;
      return { status: 204 };
    },
    (problems) => ({
      status: 400,
      body: JSON.stringify({
        errorMessages: [],
        errors: Object.fromEntries(problems.map((p) => [p, 'invalid'])),
      }),
    }),
  );
  // Accessors, not Object.assign (which would copy lostAnswers' value once).
  return Object.defineProperties(base, {
    issues: { value: issues },
    lostAnswers: {
      get: () => state.lostAnswers,
      set: (value: number) => {
        state.lostAnswers = value;
      },
    },
  }) as StandIn & { readonly issues: JiraIssue[]; lostAnswers: number };
}
