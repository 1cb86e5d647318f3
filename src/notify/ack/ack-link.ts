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
import * as z from 'zod';
import { readToken, signToken } from '../../util/signed-token.js';

export const ACK_PURPOSE = 'ack';

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

export function signAckToken(claim: AckClaim, key: Buffer): string {
  return signToken(
    ACK_PURPOSE,
    { p: ACK_PURPOSE, f: claim.fingerprint, t: claim.firedAt, i: claim.integration, e: claim.expiresAt },
    key,
  );
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
  const read = readToken(ACK_PURPOSE, token, key);
  if ('problem' in read) return read;
  const parsed = payloadSchema.safeParse(read.payload);
  // Signed by us but not an acknowledge payload: treated as any other bad token.
  if (!parsed.success) return { problem: 'malformed' };
  const claim: AckClaim = {
    fingerprint: parsed.data.f,
    firedAt: parsed.data.t,
    integration: parsed.data.i,
    expiresAt: parsed.data.e,
  };
  return now >= claim.expiresAt ? { problem: 'expired', claim } : { claim };
}

export function acknowledgeUrl(externalURL: string, token: string): string {
  return `${externalURL.replace(/\/+$/, '')}/ack/${token}`;
}
