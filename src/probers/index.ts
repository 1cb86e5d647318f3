/**
 * The table of probe kinds: one line per kind, each a definition from its own folder. Config
 * validation, metrics, rules, the CLI, history and the status page all read it; nothing else in
 * prismwatch names a kind. Adding a kind is a folder and a line here (docs/development.md, "Adding a probe kind").
 */
import { type FailureCode, SHARED_FAILURE_CODES } from '../model/failure.js';
import type { ProbeSpec } from '../model/probe.js';
import { redactUrlsIn } from '../util/redact.js';
import type { FactsDefinition, ProberDefinition } from './definition.js';

/**
 * One line per kind, in exposition order. Each line imports its kind as it lists it (top-level
 * await), so adding a kind is its folder and one line here: no import block to keep in step.
 */
const KINDS: readonly ProberDefinition[] = [
  (await import('./http/index.js')).httpProber,
  (await import('./dns/index.js')).dnsProber,
  (await import('./tcp/index.js')).tcpProber,
  (await import('./tls/index.js')).tlsProber,
  (await import('./host/index.js')).hostProber,
  (await import('./postgres/index.js')).postgresProber,
  (await import('./mysql/index.js')).mysqlProber,
  (await import('./redis/index.js')).redisProber,
  (await import('./rate_limit/index.js')).rateLimitProber,
  (await import('./security_headers/index.js')).securityHeadersProber,
  (await import('./multi_http/index.js')).multiHttpProber,
  (await import('./heartbeat/index.js')).heartbeatProber,
  (await import('./domain/index.js')).domainProber,
  (await import('./websocket/index.js')).websocketProber,
  (await import('./grpc/index.js')).grpcProber,
  (await import('./browser/index.js')).browserProber,
  (await import('./icmp/index.js')).icmpProber,
  (await import('./playwright/index.js')).playwrightProber,
];

export const PROBERS: Readonly<Record<string, ProberDefinition>> = Object.freeze(
  Object.fromEntries(KINDS.map((prober) => [prober.kind, prober])),
);

export function proberFor(kind: string): ProberDefinition | undefined {
  return Object.hasOwn(PROBERS, kind) ? PROBERS[kind] : undefined;
}

/**
 * What a probe's target is shown as, on every surface (API, status page, CLI): its kind's
 * description with every URL in it redacted (util/redact.ts), whatever the kind wrote.
 */
export function displayTarget(spec: Pick<ProbeSpec, 'kind' | 'settings'>): string {
  const prober = proberFor(spec.kind);
  return prober ? redactUrlsIn(prober.describeTarget(spec.settings)) : '';
}

/** Every facts section some kind reports, once each, in table order (the exposition's order). */
export const FACTS: readonly FactsDefinition[] = [...new Set(KINDS.flatMap((prober) => prober.facts))];

/** The closed catalogue of failure codes: the shared ones, then each kind's own. */
export const FAILURE_CODES: readonly FailureCode[] = [
  ...new Set<FailureCode>([...SHARED_FAILURE_CODES, ...KINDS.flatMap((prober) => prober.failureCodes ?? [])]),
];

/** Releases what every kind holds between runs (the browser kind's Chromium). */
export async function shutdownProbers(): Promise<void> {
  await Promise.all(KINDS.map((prober) => prober.shutdown?.().catch(() => {})));
}
