/**
 * `kind: dns`: one query to the system resolver or a given server:port, checked against the
 * expected response code and answers — "Domain DNS configured correctly" from the checklist.
 */

import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import * as z from 'zod';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { onAbort } from '../../util/abort-fanout.js';
import { regex } from '../../util/fields.js';
import type { LinearRegExp } from '../../util/linear-regex.js';
import { defineProber } from '../definition.js';
import { hostPort } from '../net/config.js';
import { dnsFacts } from './facts.js';

const DNS_QUERY_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'PTR'] as const;
type DnsQueryType = (typeof DNS_QUERY_TYPES)[number];
const DNS_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP'] as const;
type DnsRcode = (typeof DNS_RCODES)[number];

interface DnsSettings {
  readonly queryName: string;
  readonly queryType: DnsQueryType;
  /** The IP address a query_name named, looked up in reverse (queryName is then its .arpa name). */
  readonly reverseOf?: string;
  /** host:port of the server to ask; undefined for the system resolver. */
  readonly server?: string;
  readonly validRcodes: readonly DnsRcode[];
  readonly expect: {
    readonly answers?: readonly string[];
    readonly contains: readonly string[];
    readonly match: readonly LinearRegExp[];
    readonly minAnswers: number;
  };
}

const dnsSettingsShape = {
  query_name: z
    .string({ error: 'expected a domain name or an IP address' })
    .refine((name) => isIP(name) !== 0 || /^[A-Za-z0-9_.-]+\.?$/.test(name), {
      message: 'expected a domain name or an IP address',
    }),
  // A for names; PTR (a reverse lookup) for an IP address.
  query_type: z.enum(DNS_QUERY_TYPES).optional(),
  server: hostPort.optional(),
  valid_rcodes: z.array(z.enum(DNS_RCODES)).min(1).default(['NOERROR']),
  expect: z
    .strictObject({
      answers: z.array(z.string()).optional(),
      contains: z.array(z.string()).default([]),
      match: z.array(regex).default([]),
      min_answers: z.number().int().min(0).optional(),
    })
    .optional(),
};

type ParsedDns = z.infer<z.ZodObject<typeof dnsSettingsShape>>;

function toDnsSettings(raw: Record<string, unknown>): DnsSettings {
  const parsed = raw as ParsedDns;
  const expect = parsed.expect;
  const expectsNoError = parsed.valid_rcodes.length === 1 && parsed.valid_rcodes[0] === 'NOERROR';
  const address = isIP(parsed.query_name) !== 0 ? parsed.query_name : undefined;
  return {
    queryName: address ? reverseName(address) : parsed.query_name,
    queryType: parsed.query_type ?? (address ? 'PTR' : 'A'),
    ...(address ? { reverseOf: address } : {}),
    server: parsed.server,
    validRcodes: parsed.valid_rcodes,
    expect: {
      answers: expect?.answers,
      contains: expect?.contains ?? [],
      match: expect?.match ?? [],
      // A NOERROR answer with no records is "configured wrong" unless the operator says otherwise.
      minAnswers: expect?.min_answers ?? (expectsNoError ? 1 : 0),
    },
  };
}

/**
 * The name a PTR query for an address asks: 1.0.0.127.in-addr.arpa, or the 32 nibbles of an IPv6
 * address reversed under ip6.arpa. Asking "A 127.0.0.1" got NXDOMAIN, which read as "DNS broken".
 */
export function reverseName(address: string): string {
  if (isIP(address) === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const missing = address.includes('::') ? 8 - left.length - right.length : 0;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  const nibbles = all.map((group) => group.padStart(4, '0')).join('');
  return `${[...nibbles].reverse().join('.')}.ip6.arpa`;
}

/** c-ares error codes → the DNS response code the server sent (or undefined when none came). */
const RCODE_OF_ERROR: Record<string, DnsRcode> = {
  ENODATA: 'NOERROR',
  ENOTFOUND: 'NXDOMAIN',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  EFORMERR: 'FORMERR',
  ENOTIMP: 'NOTIMP',
};

/**
 * A and AAAA without a `server:` ask as every other program on the machine does (getaddrinfo:
 * /etc/hosts, then nsswitch's DNS). c-ares reads only resolv.conf, so the shipped `A localhost`
 * failed with NXDOMAIN on every developer machine although the name resolves for curl and for
 * the HTTP probes beside it. getaddrinfo cannot be cancelled: the caller's deadline races it.
 */
async function systemLookup(name: string, type: 'A' | 'AAAA'): Promise<string[]> {
  const found = await lookup(name, { all: true, family: type === 'A' ? 4 : 6, verbatim: true });
  return [...new Set(found.map((entry) => entry.address))];
}

function racingDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(Object.assign(new Error('cancelled'), { code: 'ECANCELLED' })));
    work.then(resolve, reject).finally(stop);
  });
}

async function query(resolver: Resolver, name: string, type: DnsQueryType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    case 'PTR':
      return resolver.resolvePtr(name);
  }
}

function checkAnswers(answers: readonly string[], expect: DnsSettings['expect']): string | undefined {
  const shown = JSON.stringify(answers);
  if (answers.length < expect.minAnswers)
    return `expected at least ${expect.minAnswers} answer(s), got ${shown}`;
  if (expect.answers) {
    const want = [...expect.answers].sort();
    const got = [...answers].sort();
    if (want.length !== got.length || want.some((value, i) => value !== got[i])) {
      return `expected answers ${JSON.stringify(want)}, got ${shown}`;
    }
  }
  for (const needed of expect.contains)
    if (!answers.includes(needed)) return `expected an answer ${JSON.stringify(needed)}, got ${shown}`;
  for (const pattern of expect.match) {
    const stray = answers.find((answer) => !pattern.test(answer));
    if (stray !== undefined)
      return `expected every answer to match /${pattern.source}/, got ${JSON.stringify(stray)}`;
  }
  return undefined;
}

async function probeDns(ctx: ProbeContext, spec: ProbeSpec<DnsSettings>): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const remaining = Math.max(1, Math.floor(ctx.deadline - ctx.now()));
  const resolver = new Resolver({ timeout: remaining, tries: 1 });
  if (settings.server) resolver.setServers([settings.server]);
  const cancel = () => resolver.cancel();
  ctx.signal.addEventListener('abort', cancel, { once: true });
  const where = settings.server ?? 'the system resolver';
  const asked = `${settings.queryType} ${settings.queryName}${settings.reverseOf ? ` (${settings.reverseOf})` : ''}`;
  let answers: string[] = [];
  let rcode: DnsRcode | undefined;
  let failure: Failure | undefined;
  try {
    const viaSystem = !settings.server && (settings.queryType === 'A' || settings.queryType === 'AAAA');
    answers = viaSystem
      ? await racingDeadline(systemLookup(settings.queryName, settings.queryType as 'A' | 'AAAA'), ctx.signal)
      : await query(resolver, settings.queryName, settings.queryType);
    rcode = 'NOERROR';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    rcode = RCODE_OF_ERROR[code];
    if (rcode === undefined) {
      const timedOut = code === 'ETIMEOUT' || code === 'ECANCELLED' || ctx.signal.aborted;
      failure = timedOut
        ? {
            code: 'timeout',
            phase: 'resolve',
            message: `no answer from ${where} for ${asked} within ${spec.timeoutMs}ms`,
          }
        : code === 'ECONNREFUSED'
          ? { code: 'connect_refused', phase: 'connect', message: `${where} refused the query for ${asked}` }
          : {
              code: 'dns_error',
              phase: 'resolve',
              message: `query ${asked} to ${where} failed (${code || (error as Error).message})`,
            };
    }
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
  }
  const lookupMs = ctx.now() - startedAt;
  if (!failure && rcode && !settings.validRcodes.includes(rcode)) {
    failure = {
      code: 'dns_error',
      phase: 'resolve',
      message: `expected response code ${settings.validRcodes.join(' or ')} for ${asked} from ${where}, got ${rcode}`,
    };
  }
  if (!failure) {
    const problem = checkAnswers(answers, settings.expect);
    if (problem) failure = { code: 'assertion_failed', message: `${asked}: ${problem}` };
  }
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: { resolve: lookupMs },
    failure,
    facts: { dns: { rcode: rcode ?? 'NONE', answers, lookupMs } },
  };
}

export const dnsProber = defineProber<DnsSettings>({
  kind: 'dns',
  summary: 'DNS query (A, AAAA, CNAME, MX, TXT, NS, PTR) with response code and answer checks',
  settingsShape: dnsSettingsShape,
  toSettings: toDnsSettings,
  validate: (settings) =>
    settings.reverseOf && settings.queryType !== 'PTR'
      ? [
          [
            ['query_type'],
            `expected PTR (or no query_type) for the IP address ${settings.reverseOf}: an address is looked up in reverse, it has no ${settings.queryType} records`,
          ],
        ]
      : [],
  describeTarget: (settings) =>
    `dns ${settings.queryType} ${settings.queryName} @${settings.server ?? 'system'}`,
  probe: probeDns,
  facts: [dnsFacts],
  cli: {
    target: 'name (an IP address is looked up in reverse, PTR)',
    options: [
      { flags: '--server <host:port>', description: 'dns: the server to ask (default: the system resolver)' },
      { flags: '--type <type>', description: 'dns: record type (A, AAAA, CNAME, MX, TXT, NS, PTR)' },
    ],
    keys: (target, options) => ({
      query_name: target,
      ...(options.server ? { server: options.server } : {}),
      ...(options.type ? { query_type: String(options.type).toUpperCase() } : {}),
    }),
  },
  dashboard: {
    phases: true,
    panels: [
      {
        title: 'DNS lookup',
        type: 'timeseries',
        queries: [{ expr: 'probe_dns_lookup_time_seconds{probe="$probe"}', legend: 'lookup' }],
        unit: 's',
        description: "blackbox_exporter's probe_dns_lookup_time_seconds.",
        emptyBecause: 'No DNS lookup: not a dns probe',
      },
    ],
  },
  example: `- name: public-name
  kind: dns
  query_name: www.example.com
  query_type: A
  interval: 1m`,
});
