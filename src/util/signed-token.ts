/**
 * Capabilities in links (acknowledge, confirm a subscription, unsubscribe): a JSON payload and an
 * HMAC-SHA256 over it and its purpose, `v1.<payload>.<mac>` in base64url. The purpose is part of
 * what is signed, so a token made for one thing never verifies as another, under the same key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';
const MAX_TOKEN = 2_000;

function mac(purpose: string, key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(`prismwatch-${purpose}-${VERSION}.${payload}`).digest();
}

export function signToken(purpose: string, payload: unknown, key: Buffer): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${VERSION}.${encoded}.${mac(purpose, key, encoded).toString('base64url')}`;
}

/** The payload of a token of ours for this purpose, or why not ('malformed' | 'forged'). */
export function readToken(
  purpose: string,
  token: string,
  key: Buffer | undefined,
): { readonly payload: unknown } | { readonly problem: 'malformed' | 'forged' } {
  if (token.length > MAX_TOKEN) return { problem: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { problem: 'malformed' };
  const [, payload, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]{43}$/.test(signature))
    return { problem: 'malformed' };
  if (!key) return { problem: 'forged' };
  const expected = mac(purpose, key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'forged' };
  try {
    return { payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) };
  } catch {
    return { problem: 'malformed' };
  }
}
