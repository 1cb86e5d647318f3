/** The table of probers: a config `kind` → its keys and its function. Config validation reads it too. */
import { dnsProber } from './dns.js';
import { hostProber } from './host.js';
import { httpProber } from './http.js';
import { mysqlProber } from './mysql.js';
import { postgresProber } from './postgres.js';
import { rateLimitProber } from './rate-limit.js';
import { redisProber } from './redis.js';
import { securityHeadersProber } from './security-headers.js';
import { tcpProber } from './tcp.js';
import { tlsProber } from './tls.js';
import type { ProberDefinition } from './types.js';

/** Settings are typed inside each prober; across the table they are opaque. */
function entry<Settings>(prober: ProberDefinition<Settings>): ProberDefinition<unknown> {
  return prober as unknown as ProberDefinition<unknown>;
}

export const PROBERS: Readonly<Record<string, ProberDefinition<unknown>>> = Object.freeze({
  http: entry(httpProber),
  dns: entry(dnsProber),
  tcp: entry(tcpProber),
  tls: entry(tlsProber),
  host: entry(hostProber),
  postgres: entry(postgresProber),
  mysql: entry(mysqlProber),
  redis: entry(redisProber),
  rate_limit: entry(rateLimitProber),
  security_headers: entry(securityHeadersProber),
});

export function proberFor(kind: string): ProberDefinition<unknown> | undefined {
  return Object.hasOwn(PROBERS, kind) ? PROBERS[kind] : undefined;
}
