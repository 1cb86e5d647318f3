/**
 * `kind: tls`: a TLS handshake to host:port (with SNI) and nothing else — the certificate check
 * of the checklist. Fails on expired, not-yet-valid, untrusted or self-signed certificates, a
 * certificate for another host, or a protocol below min_version; reports expiry, version and cipher.
 */
import type * as z from 'zod';
import { createTrace, openConnection, type TlsOptions } from './connect.js';
import {
  hostPort,
  type IpSettings,
  ipShape,
  parseHostPort,
  tlsShape,
  toIpSettings,
  toTlsOptions,
  validateTlsOptions,
} from './connect-config.js';
import type { Failure } from './failure.js';
import { classifyNetworkError } from './network-failure.js';
import type { ProbeContext, ProbeResult, ProberDefinition, ProbeSpec } from './types.js';

export interface TlsSettings extends IpSettings {
  readonly target: string;
  readonly hostname: string;
  readonly port: number;
  readonly tls: TlsOptions;
}

const tlsSettingsShape = {
  target: hostPort,
  tls: tlsShape.optional(),
  ...ipShape,
};

type ParsedTlsProbe = z.infer<z.ZodObject<typeof tlsSettingsShape>>;

function toTlsSettings(raw: Record<string, unknown>): TlsSettings {
  const parsed = raw as ParsedTlsProbe;
  const { hostname, port } = parseHostPort(parsed.target)!;
  return { target: parsed.target, hostname, port, tls: toTlsOptions(parsed.tls), ...toIpSettings(parsed) };
}

export async function probeTls(ctx: ProbeContext, spec: ProbeSpec<TlsSettings>): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const trace = createTrace();
  let failure: Failure | undefined;
  try {
    const socket = await openConnection({ ...settings, signal: ctx.signal, now: ctx.now }, trace);
    socket.destroy();
  } catch (error) {
    failure = classifyNetworkError(error, {
      hostname: settings.hostname,
      target: settings.target,
      trace,
      signal: ctx.signal,
      timeoutMs: spec.timeoutMs,
    });
    if (!failure) throw error;
  }
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: { resolve: trace.phases.resolve, connect: trace.phases.connect, tls: trace.phases.tls },
    failure,
    facts: trace.tls ? { tls: trace.tls } : {},
  };
}

export const tlsProber: ProberDefinition<TlsSettings> = {
  kind: 'tls',
  summary: 'TLS handshake: certificate validity, expiry, host name, protocol version and cipher',
  settingsShape: tlsSettingsShape,
  toSettings: toTlsSettings,
  validate: (settings) => validateTlsOptions(settings.tls),
  describeTarget: (settings) => `tls://${settings.target}`,
  probe: probeTls,
};
