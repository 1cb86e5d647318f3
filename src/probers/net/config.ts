/** Config keys every network prober shares: `tls`, `ip_protocol`, `ip_fallback`, `host:port` targets. */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { AdHocOptions, CliOption } from '../definition.js';
import type { IpProtocol, TlsOptions } from './connect.js';

const pemFile = z.string({ error: 'expected a file path' }).transform((path, ctx) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    ctx.issues.push({ code: 'custom', input: path, message: `expected a readable file (${reason})` });
    return z.NEVER;
  }
});

export const tlsShape = z.strictObject({
  ca_file: pemFile.optional(),
  cert_file: pemFile.optional(),
  key_file: pemFile.optional(),
  insecure_skip_verify: z.boolean().default(false),
  server_name: z.string().optional(),
  min_version: z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']).optional(),
});

type ParsedTls = z.infer<typeof tlsShape>;

export function toTlsOptions(parsed: ParsedTls | undefined): TlsOptions {
  const tls = parsed ?? tlsShape.parse({});
  return {
    ca: tls.ca_file,
    cert: tls.cert_file,
    key: tls.key_file,
    insecureSkipVerify: tls.insecure_skip_verify,
    serverName: tls.server_name,
    minVersion: tls.min_version,
  };
}

export function validateTlsOptions(
  tls: TlsOptions | undefined,
  path: string[] = ['tls'],
): Array<[string[], string]> {
  if (tls && (tls.cert === undefined) !== (tls.key === undefined)) {
    return [[path, 'expected cert_file and key_file together (a client certificate needs both)']];
  }
  return [];
}

export const ipShape = {
  ip_protocol: z.enum(['auto', 'ip4', 'ip6']).default('auto'),
  ip_fallback: z.boolean().default(true),
};

export interface IpSettings {
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
}

export function toIpSettings(parsed: { ip_protocol: IpProtocol; ip_fallback: boolean }): IpSettings {
  return { ipProtocol: parsed.ip_protocol, ipFallback: parsed.ip_fallback };
}

const HOST_PORT_MESSAGE = 'expected host:port, like "db.internal:5432" or "[::1]:443"';

/** "host:port" → parts; IPv6 literals in brackets. */
export function parseHostPort(text: string): { hostname: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { hostname: match[1] ?? match[2]!, port };
}

export const hostPort = z
  .string({ error: HOST_PORT_MESSAGE })
  .refine((text) => parseHostPort(text) !== undefined, { message: HOST_PORT_MESSAGE });

/** `prismwatch probe` options for kinds that speak TLS. */
export const TLS_CLI_OPTIONS: readonly CliOption[] = [
  { flags: '--ca-file <path>', description: 'PEM file of CA certificates to trust' },
  { flags: '--insecure', description: 'do not verify the server certificate (still reported)' },
];

/** `prismwatch probe` options for kinds that choose an address family (ip_protocol, ip_fallback). */
export const IP_CLI_OPTIONS: readonly CliOption[] = [
  { flags: '--ip-protocol <auto|ip4|ip6>', description: 'address family to connect over' },
  { flags: '--no-ip-fallback', description: 'do not fall back to the other address family' },
];

/** `--ip-protocol` and `--no-ip-fallback` as config keys. */
export function ipCliKeys(options: AdHocOptions): Record<string, unknown> {
  return {
    ...(options.ipProtocol !== undefined ? { ip_protocol: options.ipProtocol } : {}),
    ...(options.ipFallback === false ? { ip_fallback: false } : {}),
  };
}

/** `--insecure` and `--ca-file` as the `tls` mapping a config file would hold. */
export function tlsCliKeys(options: AdHocOptions): Record<string, unknown> {
  if (!options.insecure && !options.caFile) return {};
  return {
    tls: {
      insecure_skip_verify: options.insecure ?? false,
      ...(options.caFile ? { ca_file: options.caFile } : {}),
    },
  };
}

/** What `network.settings` makes of the shared keys. */
export interface NetworkSettings extends IpSettings {
  readonly tls: TlsOptions;
}

/**
 * The network part every kind that connects by URL shares, as one value: its keys (`tls`,
 * `ip_protocol`, `ip_fallback`), the settings they become, their cross-field check, and their
 * `prismwatch probe` flags. A kind spreads each piece where it assembles its own; before, seven
 * kinds assembled the same five pieces by hand.
 */
export const network = {
  shape: { ...ipShape, tls: tlsShape.optional() },
  settings: (parsed: {
    tls?: ParsedTls;
    ip_protocol: IpProtocol;
    ip_fallback: boolean;
  }): NetworkSettings => ({
    tls: toTlsOptions(parsed.tls),
    ...toIpSettings(parsed),
  }),
  validate: (settings: { readonly tls?: TlsOptions }) => validateTlsOptions(settings.tls),
  cliOptions: [...IP_CLI_OPTIONS, ...TLS_CLI_OPTIONS] as readonly CliOption[],
  cliKeys: (options: AdHocOptions): Record<string, unknown> => ({
    ...ipCliKeys(options),
    ...tlsCliKeys(options),
  }),
};
