/**
 * `kind: tls`: a TLS handshake to host:port (with SNI) and nothing else — the certificate check
 * of the checklist. Fails on expired, not-yet-valid, untrusted or self-signed certificates, a
 * certificate for another host, or a protocol below min_version; reports expiry, version and cipher.
 */
import type * as z from 'zod';
import type { ProbeContext, ProbeResult, ProberDefinition, ProbeSpec } from '../../model/probe.js';
import { tlsShape, toTlsOptions, validateTlsOptions } from '../net/config.js';
import type { TlsOptions } from '../net/connect.js';
import {
  type ConnectionTarget,
  connectionTargetShape,
  probeConnection,
  toConnectionTarget,
} from '../net/connection-probe.js';

export interface TlsSettings extends ConnectionTarget {
  readonly tls: TlsOptions;
}

const tlsSettingsShape = {
  ...connectionTargetShape,
  tls: tlsShape.optional(),
};

type ParsedTlsProbe = z.infer<z.ZodObject<typeof tlsSettingsShape>>;

function toTlsSettings(raw: Record<string, unknown>): TlsSettings {
  const parsed = raw as ParsedTlsProbe;
  return { ...toConnectionTarget(parsed), tls: toTlsOptions(parsed.tls) };
}

export function probeTls(ctx: ProbeContext, spec: ProbeSpec<TlsSettings>): Promise<ProbeResult> {
  return probeConnection(ctx, spec);
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
