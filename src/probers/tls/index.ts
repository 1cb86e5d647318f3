/**
 * `kind: tls`: a TLS handshake to host:port (with SNI) and nothing else — the certificate check
 * of the checklist. Fails on expired, not-yet-valid, untrusted or self-signed certificates, a
 * certificate for another host, or a protocol below min_version; reports expiry, version and cipher.
 */
import type * as z from 'zod';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { defineProber } from '../definition.js';
import { TLS_CLI_OPTIONS, tlsCliKeys, tlsShape, toTlsOptions, validateTlsOptions } from '../net/config.js';
import type { TlsOptions } from '../net/connect.js';
import {
  type ConnectionTarget,
  connectionTargetShape,
  probeConnection,
  toConnectionTarget,
} from '../net/connection-probe.js';
import { tlsFacts } from '../net/tls-section.js';

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

function probeTls(ctx: ProbeContext, spec: ProbeSpec<TlsSettings>): Promise<ProbeResult> {
  return probeConnection(ctx, spec);
}

export const tlsProber = defineProber<TlsSettings>({
  kind: 'tls',
  summary: 'TLS handshake: certificate validity, expiry, host name, protocol version and cipher',
  settingsShape: tlsSettingsShape,
  toSettings: toTlsSettings,
  validate: (settings) => validateTlsOptions(settings.tls),
  describeTarget: (settings) => `tls://${settings.target}`,
  probe: probeTls,
  facts: [tlsFacts],
  cli: {
    target: 'host:port',
    options: TLS_CLI_OPTIONS,
    keys: (target, options) => ({ target, ...tlsCliKeys(options) }),
  },
  dashboard: { phases: true, panels: [] },
  example: `- name: site-certificate
  kind: tls
  target: www.example.com:443
  interval: 5m
  tls: { min_version: TLSv1.2 }`,
});
