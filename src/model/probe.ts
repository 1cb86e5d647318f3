import type { Logger } from 'pino';
import type * as z from 'zod';
import type { Failure, Phase } from './failure.js';

/** Where a probe was defined, for messages that point the operator at the right line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** One configured probe after validation and defaults. `settings` is the kind's own, already parsed. */
export interface ProbeSpec<Settings = unknown> {
  readonly name: string;
  readonly kind: string;
  readonly description?: string;
  /** Set for interval probes; exactly one of intervalMs and schedule is set. */
  readonly intervalMs?: number;
  /** A cron expression (node-cron syntax, optional leading seconds field). */
  readonly schedule?: string;
  readonly timeoutMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Checklist items this probe verifies, for `prismwatch verify`. */
  readonly checklist?: readonly string[];
  /** false when `prismwatch verify` should skip this probe. */
  readonly verify?: boolean;
  readonly settings: Settings;
  readonly source: SourceLocation;
}

export interface ProbeContext {
  /** Aborts when the run's deadline passes or the daemon shuts down. */
  readonly signal: AbortSignal;
  /** Epoch ms after which the probe must have returned. */
  readonly deadline: number;
  readonly log: Logger;
  readonly now: () => number;
}

export interface TlsFacts {
  readonly version: string;
  readonly cipher: string;
  /** Epoch seconds: the soonest `notAfter` among the presented certificates. */
  readonly earliestExpiry: number;
  /** Epoch seconds: the soonest `notAfter` along the chain up to the last certificate presented. */
  readonly lastChainExpiry: number;
  readonly subject: string;
  readonly issuer: string;
  readonly authorized: boolean;
}

export interface HttpFacts {
  readonly statusCode: number;
  readonly httpVersion: string;
  readonly contentLength: number;
  /** Uncompressed body bytes read. */
  readonly bodyBytes: number;
  readonly redirects: number;
  readonly finalUrl: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
}

export interface DnsFacts {
  /** The response code, or "NONE" when no response came. */
  readonly rcode: string;
  readonly answers: readonly string[];
  readonly lookupMs: number;
}

export interface HostFacts {
  readonly memory: {
    readonly totalBytes: number;
    readonly availableBytes: number;
    readonly usedRatio: number;
  };
  readonly load: { readonly load1: number; readonly load5: number; readonly load15: number };
  /** System-wide file handles (allocated of maximum). */
  readonly files: { readonly allocated: number; readonly maximum: number };
  /** File descriptors prismwatch itself holds. */
  readonly openFds: number;
  readonly disks: ReadonlyArray<{
    readonly mount: string;
    readonly totalBytes: number;
    readonly freeBytes: number;
    readonly freeRatio: number;
  }>;
}

export interface RateLimitFacts {
  readonly statusCode: number;
  readonly limited: boolean;
  readonly dialect: string;
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetSeconds?: number;
  readonly remainingRatio?: number;
  readonly retryAfterSeconds?: number;
  readonly burstSent?: number;
  readonly burstLimitedAfter?: number;
}

export interface SecurityFacts {
  readonly score: number;
  readonly grade: string;
  readonly algorithmVersion: number;
  readonly passed: number;
  readonly failed: number;
  readonly notEvaluated: number;
  readonly results: ReadonlyArray<{
    readonly test: string;
    readonly result: string;
    readonly modifier: number;
    readonly pass: boolean | undefined;
  }>;
  /** Headers that disclose implementation details (OWASP); findings, not scored. */
  readonly disclosing: readonly string[];
  readonly url: string;
}

/** Facts a prober learnt; each prober fills its own section. */
export interface ProbeFacts {
  http?: HttpFacts;
  tls?: TlsFacts;
  dns?: DnsFacts;
  host?: HostFacts;
  rateLimit?: RateLimitFacts;
  security?: SecurityFacts;
}

export interface ProbeResult {
  readonly ok: boolean;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Milliseconds per phase, summed over redirect hops. */
  readonly phases: Readonly<Partial<Record<Phase, number>>>;
  readonly failure?: Failure;
  readonly facts: ProbeFacts;
}

export type ProbeFn<Settings> = (ctx: ProbeContext, spec: ProbeSpec<Settings>) => Promise<ProbeResult>;

/**
 * A kind of probe: its config keys (beside the common ones) and the function that runs it.
 * Adding a prober is one file, one entry in PROBERS, one test file.
 */
export interface ProberDefinition<Settings = unknown> {
  readonly kind: string;
  readonly summary: string;
  /** The kind's own keys, snake_case as written in YAML, parsed into `Settings`. */
  readonly settingsShape: z.ZodRawShape;
  readonly toSettings: (parsed: Record<string, unknown>) => Settings;
  /** Cross-field checks beyond the shape; each problem as [path under the probe, message]. */
  readonly validate?: (settings: Settings, spec: { timeoutMs: number }) => Array<[string[], string]>;
  /** Short text naming what is probed, for logs and reports (never with credentials). */
  readonly describeTarget: (settings: Settings) => string;
  readonly probe: ProbeFn<Settings>;
}
