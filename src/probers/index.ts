/**
 * The table of probe kinds: one line per kind, each a definition from its own folder. Config
 * validation, metrics, rules, the CLI, history and the status page all read it; nothing else in
 * prismwatch names a kind. Adding a kind is a folder and a line here (README, "Adding a probe kind").
 */
import { type FailureCode, SHARED_FAILURE_CODES } from '../model/failure.js';
import type { FactsDefinition, ProberDefinition } from './definition.js';
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

const KINDS: readonly ProberDefinition[] = [
  httpProber,
  dnsProber,
  tcpProber,
  tlsProber,
  hostProber,
  postgresProber,
  mysqlProber,
  redisProber,
  rateLimitProber,
  securityHeadersProber,
];

export const PROBERS: Readonly<Record<string, ProberDefinition>> = Object.freeze(
  Object.fromEntries(KINDS.map((prober) => [prober.kind, prober])),
);

export function proberFor(kind: string): ProberDefinition | undefined {
  return Object.hasOwn(PROBERS, kind) ? PROBERS[kind] : undefined;
}

/** Every facts section some kind reports, once each, in table order (the exposition's order). */
export const FACTS: readonly FactsDefinition[] = [...new Set(KINDS.flatMap((prober) => prober.facts))];

/** The closed catalogue of failure codes: the shared ones, then each kind's own. */
export const FAILURE_CODES: readonly FailureCode[] = [
  ...new Set<FailureCode>([...SHARED_FAILURE_CODES, ...KINDS.flatMap((prober) => prober.failureCodes ?? [])]),
];
