/**
 * The badge routes: prismwatch's own (`/badge/<probe or component>/<badge>.svg`) and the URL shapes
 * Gatus and Uptime Kuma users already have in their READMEs, so moving to prismwatch means
 * changing a host name, not every badge. Every shape answers through the same `badge` handler,
 * with an ETag (a README's image proxy revalidates instead of fetching again).
 *
 * - Gatus: `/api/v1/endpoints/<key>/health/badge.svg`, `…/uptimes/<1h|24h|7d|30d>/badge.svg`,
 *   `…/response-times/<window>/badge.svg`; `<key>` is Gatus's `<group>_<name>` key or the name.
 * - Uptime Kuma: `/api/badge/<name>/status`, `…/uptime[/<hours>]`, `…/ping[/<hours>]`, where
 *   Kuma's numeric monitor id becomes the probe's name (prismwatch has no numeric ids) and the
 *   duration is hours as Kuma counts them (24, 168, 720, 2160) or `24h` / `30d`.
 *
 * A response-time badge is the mean over the results prismwatch keeps, whatever window the
 * pasted URL names (the history is shorter than Gatus's 30 days; the badge does not pretend).
 */
import type { Answer } from './answer.js';
import type { BadgeRequest } from './badges.js';
import { conditional } from './etag.js';
import type { Route, RouteRequest } from './route-table.js';

type BadgeHandler = (request: BadgeRequest) => { status: number; svg: string };

/** Kuma's duration in hours (or `24h`, `30d`) as one of the uptime windows; the text as given otherwise. */
export function kumaWindow(duration: string | undefined): string {
  if (duration === undefined) return '24h';
  const match = /^(\d{1,5})([hd]?)$/.exec(duration);
  if (!match) return duration;
  const hours = Number(match[1]) * (match[2] === 'd' ? 24 : 1);
  return { 1: '1h', 24: '24h', 168: '7d', 720: '30d', 2160: '90d' }[hours] ?? duration;
}

function svgAnswer(request: RouteRequest, badge: { status: number; svg: string }): Answer {
  return conditional(request.headers, {
    status: badge.status,
    // Ended by a newline, as every other body here (a pipelined reader splits on lines).
    body: `${badge.svg}\n`,
    contentType: 'image/svg+xml; charset=utf-8',
    // Image proxies (GitHub's camo) and browsers keep it a little, as the status page refreshes.
    headers: { 'cache-control': 'max-age=30, s-maxage=30' },
  });
}

export function badgeRoutes(badge: BadgeHandler): Route[] {
  const route = (path: string, summary: string, ask: (request: RouteRequest) => BadgeRequest): Route => ({
    method: 'GET',
    path,
    access: 'public',
    summary,
    handle: (request) => svgAnswer(request, badge(ask(request))),
  });
  const gatus = (kind: BadgeRequest['kind'], params: RouteRequest['params'], period?: string) => ({
    name: params.name!,
    kind,
    gatusKey: true,
    ...(period === undefined ? {} : { period }),
  });
  return [
    route(
      '/badge/:name/:badge',
      "a probe's badge: status.svg, uptime.svg (?window=1h|24h|7d|30d|90d) or response-time.svg",
      ({ params, query }) => ({
        name: params.name!,
        kind: params.badge!,
        period: query.get('window') ?? query.get('period'),
      }),
    ),
    route('/api/v1/endpoints/:name/health/badge.svg', "a probe's status badge at Gatus's URL", ({ params }) =>
      gatus('status.svg', params),
    ),
    route(
      '/api/v1/endpoints/:name/uptimes/:window/badge.svg',
      "a probe's uptime badge at Gatus's URL",
      ({ params }) => gatus('uptime.svg', params, params.window),
    ),
    route(
      '/api/v1/endpoints/:name/response-times/:window/badge.svg',
      "a probe's response-time badge at Gatus's URL",
      ({ params }) => gatus('response-time.svg', params),
    ),
    route('/api/badge/:name/status', "a probe's status badge at Uptime Kuma's URL", ({ params }) => ({
      name: params.name!,
      kind: 'status.svg',
    })),
    ...['/api/badge/:name/uptime', '/api/badge/:name/uptime/:duration'].map((path) =>
      route(path, "a probe's uptime badge at Uptime Kuma's URL", ({ params }) => ({
        name: params.name!,
        kind: 'uptime.svg',
        period: kumaWindow(params.duration),
      })),
    ),
    ...['/api/badge/:name/ping', '/api/badge/:name/ping/:duration'].map((path) =>
      route(path, "a probe's response-time badge at Uptime Kuma's URL", ({ params }) => ({
        name: params.name!,
        kind: 'response-time.svg',
      })),
    ),
  ];
}
