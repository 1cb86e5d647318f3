/**
 * `kind: domain`: when a domain's registration expires, from RDAP. The server comes from the IANA
 * bootstrap registry (a URL or a local file, for tests and air-gapped networks) unless one is
 * configured; answers are cached (a day by default) because registries rate-limit RDAP and an
 * expiry date moves once a year.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { PrismwatchError } from '../../errors.js';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { durationMs, httpUrl } from '../../util/fields.js';
import { redactUrl } from '../../util/redact.js';
import { defineProber } from '../definition.js';
import { requestHeaders } from '../http-client/config.js';
import { follow } from '../http-client/follow.js';
import { network } from '../net/config.js';
import { createTrace, type IpProtocol, type TlsOptions } from '../net/connect.js';
import { type DomainFacts, domainFacts } from './facts.js';
import { type Bootstrap, type DomainRecord, parseBootstrap, parseDomainRecord, serverFor } from './rdap.js';

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** RDAP could not tell the expiry: no server for the TLD, the domain unknown, an answer that is not RDAP. */
    rdap_error: true;
  }
}

const IANA_BOOTSTRAP = 'https://data.iana.org/rdap/dns.json';
const MAX_RDAP_BYTES = 1024 * 1024;
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}\.?$/i;

interface DomainSettings {
  readonly domain: string;
  /** A configured RDAP base URL (skips the bootstrap). */
  readonly server?: string;
  /** URL or file path of the bootstrap registry. */
  readonly bootstrap: string;
  readonly cacheMs: number;
  readonly tls: TlsOptions;
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
}

const domainSettingsShape = {
  domain: z
    .string({ error: 'expected a domain name like prismai.example' })
    .regex(DOMAIN_RE, { message: 'expected a domain name like prismai.example' }),
  rdap_server: httpUrl.optional(),
  bootstrap: z.string().min(1).default(IANA_BOOTSTRAP),
  cache_for: durationMs({ minMs: 0 }).default(86_400_000),
  ...network.shape,
};

type ParsedDomain = z.infer<z.ZodObject<typeof domainSettingsShape>>;

function toDomainSettings(raw: Record<string, unknown>): DomainSettings {
  const parsed = raw as ParsedDomain;
  return {
    domain: parsed.domain.toLowerCase().replace(/\.$/, ''),
    server: parsed.rdap_server,
    bootstrap: parsed.bootstrap,
    cacheMs: parsed.cache_for,
    ...network.settings(parsed),
  };
}

interface Cached<T> {
  readonly value: T;
  readonly at: number;
}
/** Answers by server + domain, and bootstrap registries by source, for cacheMs (a day). */
const answers = new Map<string, Cached<DomainRecord>>();
const bootstraps = new Map<string, Cached<Bootstrap>>();
const BOOTSTRAP_CACHE_MS = 86_400_000;

class RdapFailure extends Error {}

async function get(url: URL, ctx: ProbeContext, spec: ProbeSpec<DomainSettings>): Promise<string> {
  const trace = createTrace();
  const { response, failure } = await follow(
    {
      url,
      method: 'GET',
      headers: { ...requestHeaders({}), accept: 'application/rdap+json, application/json' },
    },
    {
      ...spec.settings,
      followRedirects: true,
      maxRedirects: 5,
      secretHeaders: new Set(),
      signal: ctx.signal,
      deadline: ctx.deadline,
      now: ctx.now,
      maxBodyBytes: MAX_RDAP_BYTES,
      keepBody: true,
      timeoutMs: spec.timeoutMs,
    },
    trace,
  );
  if (failure) throw Object.assign(new RdapFailure(failure.message), { failure });
  if (response!.statusCode === 404)
    throw new RdapFailure(`${redactUrl(url)} answered 404: the registry does not know the domain`);
  if (response!.statusCode === 429)
    throw new RdapFailure(`${redactUrl(url)} answered 429: the registry is rate-limiting RDAP queries`);
  if (response!.statusCode !== 200)
    throw new RdapFailure(`${redactUrl(url)} answered ${response!.statusCode}`);
  return response!.body?.toString('utf8') ?? '';
}

async function bootstrapFor(ctx: ProbeContext, spec: ProbeSpec<DomainSettings>): Promise<Bootstrap> {
  const source = spec.settings.bootstrap;
  const cached = bootstraps.get(source);
  if (cached && ctx.now() - cached.at < BOOTSTRAP_CACHE_MS) return cached.value;
  let text: string;
  if (/^https?:\/\//i.test(source)) {
    text = await get(new URL(source), ctx, spec);
  } else {
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw new RdapFailure(
        `cannot read the bootstrap file ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const bootstrap = parseBootstrap(text);
  if (typeof bootstrap === 'string') throw new RdapFailure(`${source}: ${bootstrap}`);
  bootstraps.set(source, { value: bootstrap, at: ctx.now() });
  return bootstrap;
}

async function probeDomain(ctx: ProbeContext, spec: ProbeSpec<DomainSettings>): Promise<ProbeResult> {
  const startedAt = ctx.now();
  const { domain } = spec.settings;
  let server = spec.settings.server;
  let failure: Failure | undefined;
  let facts: DomainFacts | undefined;
  try {
    server ??= serverFor(await bootstrapFor(ctx, spec), domain);
    if (!server)
      throw new RdapFailure(`the bootstrap registry names no RDAP server for ${domain}'s top-level domain`);
    const key = `${server}|${domain}`;
    let cached = answers.get(key);
    if (!cached || ctx.now() - cached.at >= spec.settings.cacheMs) {
      const url = new URL(
        `domain/${encodeURIComponent(domain)}`,
        server.endsWith('/') ? server : `${server}/`,
      );
      const record = parseDomainRecord(await get(url, ctx, spec));
      if (typeof record === 'string') throw new RdapFailure(`${redactUrl(url)}: ${record}`);
      cached = { value: record, at: ctx.now() };
      answers.set(key, cached);
    }
    const record = cached.value;
    facts = {
      domain,
      server: redactUrl(server),
      fetchedAt: cached.at,
      status: record.status,
      ...pick(record),
    };
    if (record.expiresAt === undefined)
      failure = { code: 'rdap_error', message: `${server} publishes no expiration event for ${domain}` };
  } catch (error) {
    if (!(error instanceof RdapFailure)) throw error;
    failure = (error as RdapFailure & { failure?: Failure }).failure ?? {
      code: 'rdap_error',
      message: error.message,
    };
  }
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: {},
    ...(failure ? { failure } : {}),
    facts: facts ? { domain: facts } : {},
  };
}

function pick(record: DomainRecord): Pick<DomainFacts, 'expiresAt' | 'registrar'> {
  return {
    ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
    ...(record.registrar !== undefined ? { registrar: record.registrar } : {}),
  };
}

export const domainProber = defineProber<DomainSettings>({
  kind: 'domain',
  summary: 'domain registration expiry from RDAP (IANA bootstrap, cached daily)',
  settingsShape: domainSettingsShape,
  toSettings: toDomainSettings,
  describeTarget: (settings) => settings.domain,
  probe: probeDomain,
  facts: [domainFacts],
  failureCodes: ['rdap_error'],
  cli: {
    target: 'domain name',
    options: [
      { flags: '--rdap-server <url>', description: 'domain: RDAP base URL (skips the bootstrap registry)' },
      {
        flags: '--bootstrap <url-or-file>',
        description: 'domain: the RDAP bootstrap registry (default IANA)',
      },
      ...network.cliOptions,
    ],
    keys: (target, options) => {
      if (typeof target !== 'string' || target === '')
        throw new PrismwatchError('PRISMWATCH_USAGE', 'expected a domain name');
      return {
        domain: target,
        ...(options.rdapServer ? { rdap_server: options.rdapServer } : {}),
        ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
        ...network.cliKeys(options),
      };
    },
  },
  dashboard: {
    phases: false,
    panels: [
      {
        title: 'Domain registration days left',
        type: 'stat',
        queries: [{ expr: '(prismwatch_domain_expiry_timestamp_seconds{probe="$probe"} - time()) / 86400' }],
        unit: 'd',
        steps: [
          [null, 'red'],
          [7, 'orange'],
          [30, 'green'],
        ],
        emptyBecause: 'No domain expiry: not a domain probe (or the registry publishes no expiration date)',
      },
    ],
  },
  example: `- name: registration
  kind: domain
  domain: example.com
  interval: 12h`,
});
