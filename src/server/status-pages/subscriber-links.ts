/**
 * The links a subscriber gets: confirm (once, after subscribing) and unsubscribe (in every
 * message). Signed tokens (util/signed-token.ts) naming the subscriber and the page, each for its
 * own purpose. A confirmation link expires with the pending subscription; an unsubscribe link
 * never does (an old message must still unsubscribe).
 */
import * as z from 'zod';
import { PENDING_FOR_MS } from '../../state/subscribers.js';
import { readToken, signToken } from '../../util/signed-token.js';

export type SubscriberPurpose = 'confirm' | 'unsubscribe';

const payloadSchema = z.strictObject({
  s: z.string().min(1).max(64),
  p: z.string().max(63),
  e: z.number().optional(),
});

export function subscriberToken(
  purpose: SubscriberPurpose,
  subscriber: string,
  page: string,
  key: Buffer,
  now: number,
): string {
  return signToken(
    purpose,
    { s: subscriber, p: page, ...(purpose === 'confirm' ? { e: now + PENDING_FOR_MS } : {}) },
    key,
  );
}

/** The subscriber and page a token of this purpose names, or undefined (not ours, wrong purpose, expired). */
export function readSubscriberToken(
  purpose: SubscriberPurpose,
  token: string,
  key: Buffer | undefined,
  now: number,
): { readonly subscriber: string; readonly page: string } | undefined {
  const read = readToken(purpose, token, key);
  if ('problem' in read) return undefined;
  const parsed = payloadSchema.safeParse(read.payload);
  if (!parsed.success) return undefined;
  if (parsed.data.e !== undefined && now >= parsed.data.e) return undefined;
  return { subscriber: parsed.data.s, page: parsed.data.p };
}

export function subscriberUrl(base: string, slug: string, purpose: SubscriberPurpose, token: string): string {
  return `${base.replace(/\/+$/, '')}/status/${slug}/${purpose}/${token}`;
}
