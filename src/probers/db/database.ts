/**
 * The flow every database and cache prober shares: connect and authenticate (phase "connect"),
 * run one trivial query (phase "processing"), close; all under the run's deadline. Drivers say
 * how to connect, query and close, and which of their errors mean bad credentials or a failed
 * query. Connection URLs carry passwords: only host, port and database ever reach a message.
 */
import * as z from 'zod';
import type { Failure, Phase } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { formatDuration } from '../../util/duration.js';
import { decodeComponent } from '../../util/uri.js';
import { defineProber, type ProberDefinition } from '../definition.js';
import { mapNetworkError } from '../net/map-error.js';

interface DatabaseSettings {
  readonly url: string;
  readonly query?: string;
  /** Lets the URL point the connection somewhere its host does not say (a Unix socket, another host). */
  readonly allowUnixSocket: boolean;
  /** host:port/database, for messages; never the credentials. */
  readonly where: string;
}

export interface Session {
  query(): Promise<void>;
  close(): void;
}

export interface DatabaseDriver {
  readonly kind: string;
  readonly product: string;
  readonly schemes: readonly string[];
  readonly defaultQuery: string;
  readonly summary: string;
  /** One probe of this kind as YAML (ProberDefinition.example). */
  readonly example: string;
  connect(settings: DatabaseSettings, timeoutMs: number): Promise<Session>;
  /** Driver-specific meaning of an error: 'auth' for rejected credentials, 'query' for a failed check. */
  classify(error: unknown): 'auth' | 'query' | undefined;
  /**
   * Query parameters the driver reads as where to connect (a socket path, another host or port),
   * lower-case. A URL using one connects somewhere other than what every display shows.
   */
  readonly targetParams: readonly string[];
}

/**
 * Why the URL would connect somewhere its host does not show, or undefined. The drivers read some
 * query parameters as the connection target (`?host=/run/postgresql`, mysql2's `?socketPath=`,
 * ioredis's `?path=`), and node-postgres reads a percent-encoded host starting with "/" as a
 * socket directory: `postgres://u@203.0.113.9/db?host=/run/postgresql` showed a TCP target and
 * connected to a local socket.
 */
export function redirectedTarget(url: URL, targetParams: readonly string[]): string | undefined {
  for (const key of url.searchParams.keys()) {
    if (targetParams.includes(key.toLowerCase()))
      return `its query parameter "${key}" chooses where to connect (a Unix socket or another host), not ${url.hostname}`;
  }
  const host = decodeComponent(url.hostname) ?? url.hostname;
  if (host.includes('/')) return `its host "${host}" is a path (a Unix socket)`;
  return undefined;
}

/**
 * A password with an unencoded "/" ends the URL's authority early: `postgres://u:p/ss@db:5432/x`
 * parses with "ss@db:5432/x" as its path, so the path holds part of the password. Such a path is
 * never shown; validate() refuses the URL.
 */
const holdsCredentials = (url: URL) => url.pathname.includes('@');

function describeWhere(url: URL): string {
  if (holdsCredentials(url)) return `${url.hostname} (unreadable URL)`;
  const database = url.pathname.replace(/^\//, '');
  return `${url.host}${database ? `/${decodeComponent(database) ?? database}` : ''}`;
}

function databaseSettingsShape(driver: Pick<DatabaseDriver, 'schemes' | 'product'>) {
  const message = `expected a ${driver.product} URL like ${driver.schemes[0]}://user:password@host:port/database`;
  return {
    url: z.string({ error: message }).refine(
      (text) => {
        try {
          const url = new URL(text);
          return driver.schemes.includes(url.protocol.replace(/:$/, '')) && url.hostname !== '';
        } catch {
          return false;
        }
      },
      { message },
    ),
    query: z.string().min(1).optional(),
    /** The URL may connect through a Unix socket or a host given in its query (off: it must say so). */
    allow_unix_socket: z.boolean().default(false),
  };
}

function errorText(error: unknown): string {
  const err = error as { message?: unknown; code?: unknown };
  const message = typeof err?.message === 'string' && err.message !== '' ? err.message : String(error);
  return typeof err?.code === 'string' && !message.includes(err.code) ? `${message} (${err.code})` : message;
}

function classify(error: unknown, phase: Phase, driver: DatabaseDriver, where: string): Failure | undefined {
  const meaning = driver.classify(error);
  if (meaning === 'auth')
    return {
      code: 'auth_failed',
      phase: 'connect',
      message: `${driver.product} ${where} rejected the credentials: ${errorText(error)}`,
    };
  if (meaning === 'query')
    return {
      code: 'query_error',
      phase: 'processing',
      message: `query failed on ${driver.product} ${where}: ${errorText(error)}`,
    };
  const mapped = mapNetworkError(error, phase);
  if (!mapped) return undefined;
  if (mapped.code === 'connect_refused')
    return { ...mapped, message: `connection to ${driver.product} ${where} refused` };
  if (mapped.code === 'dns_error')
    return {
      ...mapped,
      phase: 'resolve',
      message: `could not resolve the ${driver.product} host of ${where}: ${mapped.message}`,
    };
  return { ...mapped, message: `${driver.product} ${where}: ${mapped.message}` };
}

async function probeDatabase(
  ctx: ProbeContext,
  spec: ProbeSpec<DatabaseSettings>,
  driver: DatabaseDriver,
): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const phases: Partial<Record<Phase, number>> = {};
  let phase: Phase = 'connect';
  let session: Session | undefined;
  let failure: Failure | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const onAbort = () => reject(Object.assign(new Error('deadline'), { code: 'PRISMWATCH_ABORTED' }));
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  deadline.catch(() => {}); // observed below through Promise.race
  try {
    const remaining = Math.max(1, Math.floor(ctx.deadline - ctx.now()));
    const connecting = driver.connect(settings, remaining);
    // A connection that completes after the deadline is closed, not leaked.
    connecting.then(
      (late) => ctx.signal.aborted && late.close(),
      () => {},
    );
    session = await Promise.race([connecting, deadline]);
    phases.connect = ctx.now() - startedAt;
    phase = 'processing';
    const queryStart = ctx.now();
    await Promise.race([session.query(), deadline]);
    phases.processing = ctx.now() - queryStart;
  } catch (error) {
    if (ctx.signal.aborted) {
      const budget = formatDuration(spec.timeoutMs);
      failure =
        phase === 'connect'
          ? {
              code: 'connect_timeout',
              phase,
              message: `no connection to ${driver.product} ${settings.where} within the ${budget} timeout`,
            }
          : {
              code: 'timeout',
              phase,
              message: `the check query on ${driver.product} ${settings.where} took longer than ${budget}`,
            };
    } else {
      failure = classify(error, phase, driver, settings.where);
      if (!failure) throw error;
    }
  } finally {
    session?.close();
  }
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases,
    failure,
    facts: {},
  };
}

/** The definition of one database kind: each kind's folder holds only its driver. */
export function databaseProber(driver: DatabaseDriver): ProberDefinition {
  return defineProber<DatabaseSettings>({
    kind: driver.kind,
    summary: driver.summary,
    settingsShape: databaseSettingsShape(driver),
    toSettings: (raw) => {
      const { url, query, allow_unix_socket } = raw as {
        url: string;
        query?: string;
        allow_unix_socket: boolean;
      };
      return { url, query, allowUnixSocket: allow_unix_socket, where: describeWhere(new URL(url)) };
    },
    validate: (settings) => {
      const url = new URL(settings.url);
      if (holdsCredentials(url))
        return [
          [
            ['url'],
            'the URL has an "@" after its host: a password with "/" or "@" in it must be percent-encoded (%2F, %40)',
          ],
        ];
      if (settings.allowUnixSocket) return [];
      const why = redirectedTarget(url, driver.targetParams);
      return why
        ? [
            [
              ['url'],
              `the URL would not connect to the host it shows: ${why}; set allow_unix_socket: true if that is meant`,
            ],
          ]
        : [];
    },
    describeTarget: (settings) => `${driver.kind}://${settings.where}`,
    probe: (ctx, spec) => probeDatabase(ctx, spec, driver),
    facts: [],
    failureCodes: DATABASE_FAILURE_CODES,
    cli: { target: 'URL', keys: (target) => ({ url: target }) },
    // The summary panels say all there is: up or down, how long each phase took, why it failed.
    dashboard: { phases: true, panels: [] },
    example: driver.example,
  });
}

/** Codes of the database kinds (postgres, mysql, redis), beyond the shared network ones. */
const DATABASE_FAILURE_CODES = ['auth_failed', 'query_error'] as const;

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** A database or cache rejected the credentials. */
    auth_failed: true;
    /** Connected and authenticated, but the check query failed. */
    query_error: true;
  }
}
