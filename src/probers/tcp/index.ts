/**
 * `kind: tcp`: connect (optionally over TLS) and, optionally, a scripted send/expect exchange —
 * a port that accepts, a banner that reads right, a PING that gets its PONG.
 */
import * as z from 'zod';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { regex } from '../../util/fields.js';
import { defineProber } from '../definition.js';
import { TLS_CLI_OPTIONS, tlsCliKeys, tlsShape, toTlsOptions, validateTlsOptions } from '../net/config.js';
import type { TlsOptions } from '../net/connect.js';
import {
  type ConnectionTarget,
  type Conversation,
  connectionTargetShape,
  probeConnection,
  toConnectionTarget,
} from '../net/connection-probe.js';
import { tlsFacts } from '../net/tls-section.js';
import { type QueryStep, runQueryResponse } from './query-response.js';

interface TcpSettings extends ConnectionTarget {
  /** Undefined for plain TCP. */
  readonly tls?: TlsOptions;
  readonly queryResponse: readonly QueryStep[];
}

const step = z.union([z.strictObject({ send: z.string() }), z.strictObject({ expect: regex })], {
  error: 'expected a step `send: <text>` or `expect: <regex>`',
});

const tcpSettingsShape = {
  ...connectionTargetShape,
  tls: z.union([z.literal(true), tlsShape], { error: 'expected `true` or a TLS mapping' }).optional(),
  query_response: z.array(step).default([]),
};

type ParsedTcp = z.infer<z.ZodObject<typeof tcpSettingsShape>>;

function toTcpSettings(raw: Record<string, unknown>): TcpSettings {
  const parsed = raw as ParsedTcp;
  return {
    ...toConnectionTarget(parsed),
    tls: parsed.tls === undefined ? undefined : toTlsOptions(parsed.tls === true ? undefined : parsed.tls),
    queryResponse: parsed.query_response,
  };
}

const WAITING_FOR = {
  processing: 'waiting for the expected reply',
  transfer: 'waiting for the expected reply',
};

function probeTcp(ctx: ProbeContext, spec: ProbeSpec<TcpSettings>): Promise<ProbeResult> {
  const steps = spec.settings.queryResponse;
  const conversation =
    steps.length > 0
      ? (socket: Parameters<Conversation>[0]) => runQueryResponse(socket, steps, ctx.signal)
      : undefined;
  return probeConnection(ctx, spec, conversation, WAITING_FOR);
}

export const tcpProber = defineProber<TcpSettings>({
  kind: 'tcp',
  summary: 'TCP connect, optionally over TLS, with an optional send/expect exchange',
  settingsShape: tcpSettingsShape,
  toSettings: toTcpSettings,
  validate: (settings) => validateTlsOptions(settings.tls),
  describeTarget: (settings) => `${settings.tls ? 'tls' : 'tcp'}://${settings.target}`,
  pathTarget: (settings) => settings.hostname,
  probe: probeTcp,
  facts: [tlsFacts],
  cli: {
    target: 'host:port',
    options: TLS_CLI_OPTIONS,
    keys: (target, options) => ({ target, ...tlsCliKeys(options) }),
  },
  dashboard: { phases: true, panels: [] },
  example: `- name: cache-port
  kind: tcp
  target: 127.0.0.1:6379
  query_response:
    - send: "PING\\r\\n"
    - expect: "^\\\\+PONG"`,
});
