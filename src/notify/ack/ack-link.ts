/**
 * Acknowledge links: `<external_url>/ack/<token>`, carried by every firing alert of a page. The
 * token is a capability, so it is signed (HMAC-SHA256 under the store's key), single-purpose (its
 * payload says `ack`; no other token verifies as one), bound to one firing of one alert (fingerprint
 * and when it fired: the next firing needs the next page's link) and to the integration whose
 * notification carried it (so that one is not told of its own acknowledgement), and it expires.
 *
 * Opening the link (GET) only shows what it would acknowledge and a button; the button POSTs. Mail
 * systems' link scanners and previews follow GETs, never forms, so they cannot acknowledge.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

export const ACK_PURPOSE = 'ack';
const VERSION = 'v1';

export interface AckClaim {
  readonly fingerprint: string;
  readonly firedAt: number;
  /** `receiver/type/index` of the notification that carried the link. */
  readonly integration: string;
  readonly expiresAt: number;
}

const payloadSchema = z.strictObject({
  p: z.literal(ACK_PURPOSE),
  f: z.string().min(1).max(64),
  t: z.number().finite(),
  i: z.string().max(300),
  e: z.number().finite(),
});

export type AckTokenProblem = 'malformed' | 'forged' | 'expired';

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(`prismwatch-${ACK_PURPOSE}-${VERSION}.${payload}`).digest();
}

export function signAckToken(claim: AckClaim, key: Buffer): string {
  const payload = Buffer.from(
    JSON.stringify({
      p: ACK_PURPOSE,
      f: claim.fingerprint,
      t: claim.firedAt,
      i: claim.integration,
      e: claim.expiresAt,
    }),
  ).toString('base64url');
  return `${VERSION}.${payload}.${mac(key, payload).toString('base64url')}`;
}

/**
 * The claim a token makes, if it is ours and still good. An expired token is reported with its
 * claim, so the page can say which alert it was for; a forged one never says anything.
 */
export function readAckToken(
  token: string,
  key: Buffer | undefined,
  now: number,
): { readonly claim: AckClaim } | { readonly problem: AckTokenProblem; readonly claim?: AckClaim } {
  if (token.length > 1_000) return { problem: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { problem: 'malformed' };
  const [, payload, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]{43}$/.test(signature))
    return { problem: 'malformed' };
  if (!key) return { problem: 'forged' };
  const expected = mac(key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'forged' };
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    // Signed by us but not an acknowledge payload: treated as any other bad token.
    return { problem: 'malformed' };
  }
  const claim: AckClaim = {
    fingerprint: parsed.f,
    firedAt: parsed.t,
    integration: parsed.i,
    expiresAt: parsed.e,
  };
  return now >= claim.expiresAt ? { problem: 'expired', claim } : { claim };
}

export function acknowledgeUrl(externalURL: string, token: string): string {
  return `${externalURL.replace(/\/+$/, '')}/ack/${token}`;
}
