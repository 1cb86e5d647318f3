/** Config pieces several receiver types share: URLs that may be switched off, TLS, timeouts. */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { durationMs } from '../../util/fields.js';
import type { TlsSettings } from '../config/model.js';

/** A URL, or "" for an integration that is switched off (see `disabled`). */
export const optionalUrl = z
  .string({ error: 'expected an http:// or https:// URL' })
  .refine((text) => text === '' || /^https?:\/\/[^/]/.test(text), {
    message: 'expected an http:// or https:// URL (or "" to switch this integration off)',
  });

/** Keys every queued integration has. */
export const commonConfig = {
  send_resolved: z.boolean().default(true),
  timeout: durationMs({ minMs: 10 }).default(10_000),
};

export const tlsConfig = z.strictObject({
  ca_file: z.string().optional(),
  server_name: z.string().optional(),
  insecure_skip_verify: z.boolean().default(false),
});

export function tlsSettings(raw: z.infer<typeof tlsConfig> | undefined): TlsSettings | undefined {
  if (!raw) return undefined;
  return {
    insecureSkipVerify: raw.insecure_skip_verify,
    ...(raw.ca_file ? { caFile: raw.ca_file } : {}),
    ...(raw.server_name ? { serverName: raw.server_name } : {}),
  };
}

/**
 * One key per alert group, as Alertmanager's: the sha256 hex of the group key. PagerDuty's
 * dedup_key and Opsgenie's alias, so retries, repeats and the resolve address one incident.
 */
export function groupDigest(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}
