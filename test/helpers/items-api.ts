/**
 * A small loopback JSON API with a login, for multi_http flows: POST /api/login with the right
 * password answers a bearer token and sets a session cookie; items are created, read and deleted
 * under /api/items with the token. `faults` makes one route misbehave for a test.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Running, withHttpServer } from './servers.js';

export interface ItemsApi extends Running {
  /** Items that exist now, by id. */
  readonly items: Map<string, { name: string }>;
  /** Tokens handed out, newest last. */
  readonly tokens: string[];
  /** Route ("METHOD /path-pattern") → what to do instead of answering. */
  readonly faults: Map<string, (res: ServerResponse) => void>;
}

export const ITEMS_API_PASSWORD = 'correct horse';

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

export async function withItemsApi(): Promise<ItemsApi> {
  const items = new Map<string, { name: string }>();
  const tokens: string[] = [];
  const sessions = new Set<string>();
  const faults = new Map<string, (res: ServerResponse) => void>();
  let nextId = 1;

  const running = await withHttpServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0]!;
      const route = `${req.method} ${path.replace(/^\/api\/items\/[^/]+$/, '/api/items/:id')}`;
      const fault = faults.get(route);
      if (fault) return fault(res);
      if (route === 'POST /api/login') {
        const credentials = JSON.parse(body || '{}') as { user?: string; password?: string };
        if (credentials.password !== ITEMS_API_PASSWORD) return json(res, 401, { error: 'bad credentials' });
        const token = randomBytes(24).toString('base64url');
        const session = randomBytes(12).toString('hex');
        tokens.push(token);
        sessions.add(session);
        return json(
          res,
          200,
          { token, user: credentials.user },
          { 'set-cookie': `session=${session}; HttpOnly; Path=/` },
        );
      }
      const session = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      const authorized =
        req.headers.authorization === `Bearer ${tokens.at(-1)}` &&
        session !== undefined &&
        sessions.has(session);
      if (!authorized) return json(res, 401, { error: 'not logged in' });
      const id = path.split('/').at(-1)!;
      if (route === 'POST /api/items') {
        const created = String(nextId++);
        items.set(created, JSON.parse(body) as { name: string });
        return json(res, 201, { id: created }, { location: `/api/items/${created}` });
      }
      if (route === 'GET /api/items/:id') {
        const item = items.get(decodeURIComponent(id));
        return item ? json(res, 200, { id, ...item }) : json(res, 404, { error: 'no such item' });
      }
      if (route === 'DELETE /api/items/:id') {
        return items.delete(decodeURIComponent(id))
          ? res.writeHead(204).end()
          : json(res, 404, { error: 'no such item' });
      }
      json(res, 404, { error: 'no such route' });
    })();
  });
  return Object.assign(running, { items, tokens, faults });
}

/** The four-step flow of probes/examples/api-flow.yaml, against `api`. */
export function itemsFlow(api: Running): Record<string, unknown> {
  return {
    kind: 'multi_http',
    base_url: api.url,
    headers: { 'content-type': 'application/json' },
    steps: [
      {
        name: 'login',
        method: 'POST',
        url: '/api/login',
        body: JSON.stringify({ user: 'probe', password: ITEMS_API_PASSWORD }),
        extract: { token: { json: '$.token' } },
      },
      {
        name: 'create',
        method: 'POST',
        url: '/api/items',
        headers: { authorization: 'Bearer ${steps.login.token}' },
        body: '{"name":"prismwatch canary"}',
        valid_status_codes: [201],
        extract: { id: { json: '$.id' } },
      },
      {
        name: 'read',
        url: '/api/items/${steps.create.id}',
        headers: { authorization: 'Bearer ${steps.login.token}' },
        expect: { json: [{ path: '$.name', equals: 'prismwatch canary' }] },
      },
      {
        name: 'delete',
        method: 'DELETE',
        url: '/api/items/${steps.create.id}',
        headers: { authorization: 'Bearer ${steps.login.token}' },
        valid_status_codes: [204],
      },
    ],
  };
}
