/** The table of probers: a config `kind` → its keys and its function. Config validation reads it too. */

import type { ProberDefinition } from '../model/probe.js';
import { dnsProber } from './dns/index.js';
import { hostProber } from './host/index.js';
import { httpProber } from './http/index.js';
import { mysqlProber } from './mysql/index.js';
import { postgresProber } from './postgres/index.js';
import { rateLimitProber } from './rate_limit/index.js';
import { redisProber } from './redis/index.js';
import { securityHeadersProber } from './security_headers/index.js';
import { tcpProber } from './tcp/index.js';
import { tlsProber } from './tls/index.js';

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
