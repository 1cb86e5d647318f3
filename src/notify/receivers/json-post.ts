/**
 * POSTing to a receiver over HTTP, shared by the webhook and the vendor channels: one undici Agent
 * per integration (TLS settings, connect timeout), a per-attempt deadline on every phase, and the
 * answer read up to 64 KiB (its text, for vendors that explain a rejection in the body).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { USER_AGENT } from '../../version.js';
import type { TlsSettings } from '../config/model.js';
import { retryAfterMs } from '../delivery/backoff.js';
import { DeliveryError } from '../delivery/delivery-error.js';
import { classifyStatus } from './http-errors.js';

/** Answers from receivers are read up to this size, then the connection is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PostAnswer {
  readonly status: number;
  /** The body as text, at most 64 KiB of it. */
  readonly text: string;
  /** Retry-After as a wait in milliseconds, when the receiver sent one. */
  readonly retryAfterMs: number | undefined;
}

export class Poster {
  private readonly agent: Agent;

  constructor(
    private readonly timeoutMs: number,
    tls?: TlsSettings,
  ) {
    this.agent = new Agent({
      keepAliveTimeout: 4_000,
      connect: {
        timeout: timeoutMs,
        ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls?.serverName ? { servername: tls.serverName } : {}),
        ...(tls?.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
      },
    });
  }

  /** Errors (timeouts, refusals, TLS) go up as they are, for the type's classify. */
  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    now: number,
    contentType = 'application/json',
    method: 'POST' | 'PUT' = 'POST',
  ): Promise<PostAnswer> {
    return this.exchange(method, url, body, { ...headers, 'content-type': contentType }, now);
  }

  /** A GET (a lookup before a write: Jira's search), read and bounded like a POST's answer. */
  get(url: string, headers: Record<string, string>, now: number): Promise<PostAnswer> {
    return this.exchange('GET', url, undefined, headers, now);
  }

  private async exchange(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
    now: number,
  ): Promise<PostAnswer> {
    const response = await request(url, {
      method,
      ...(body !== undefined ? { body } : {}),
      headers: { 'user-agent': USER_AGENT, ...headers },
      dispatcher: this.agent,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const chunks: Buffer[] = [];
    let read = 0;
    for await (const chunk of response.body) {
      read += (chunk as Buffer).length;
      if (read > MAX_RESPONSE_BYTES) {
        response.body.destroy();
        break;
      }
      chunks.push(chunk as Buffer);
    }
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.statusCode,
      text: Buffer.concat(chunks).toString('utf8'),
      retryAfterMs: retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now),
    };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * A vendor's own words about a rejection, short and on one line, with the integration's secrets
 * (`secrets`: keys, tokens, webhook URLs and their paths) cut out in case the vendor echoes them.
 */
export function vendorWords(text: string, secrets: readonly string[] = []): string {
  let words = text.replace(/\s+/g, ' ').trim();
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length))
    words = words.replaceAll(secret, '<redacted>');
  return words.slice(0, 200);
}

/**
 * What a vendor said in its error body: the field `pick` reads from its JSON, else the body as
 * text (a proxy's page, or a vendor that answers in plain text).
 */
export function repliedWords(text: string, pick: (reply: Record<string, unknown>) => unknown): string {
  try {
    const picked = pick(JSON.parse(text) as Record<string, unknown>);
    return picked === undefined || picked === null ? text : String(picked);
  } catch {
    return text;
  }
}

/** A secret URL and the parts of it a server could echo: itself, its path and query. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    // Query values too: Google Chat's key and token travel as parameters, and a vendor may quote one.
    const values = [...parsed.searchParams.values()];
    return [url, `${parsed.pathname}${parsed.search}`, parsed.pathname, ...values].filter(
      (part) => part.length > 1,
    );
  } catch {
    return [url];
  }
}

/**
 * Throws for an answer that is not 2xx: as classifyStatus decides for 429, 5xx and 408 (retried,
 * with the vendor's Retry-After), else final, in the vendor's words (`rejected` builds them).
 */
export function failIfRejected(answer: PostAnswer, rejected: (answer: PostAnswer) => string): void {
  const failure = classifyStatus(answer.status, answer.retryAfterMs);
  if (!failure) return;
  if (failure.retryable) throw failure;
  throw new DeliveryError(failure.reason, `${rejected(answer)} (HTTP ${answer.status})`, false);
}
