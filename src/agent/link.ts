/**
 * The agent's one way out: HTTPS (or HTTP on a trusted network) requests to the control plane,
 * over one kept-alive connection per URL, with the agent's token, optionally a client
 * certificate (mTLS) and a private CA. Nothing listens on the agent: it works behind NAT and
 * through proxies that pass HTTPS. Several URLs (an HA control plane) are tried in turn: a
 * failure, or an instance that does not take results (503, not the leader), moves to the next.
 *
 * Plain request/response rather than a stream: each batch is acknowledged by its answer, which is
 * what the outbox needs, and a dropped link costs one batch's retry, never a stream's state.
 */
import { readFileSync } from 'node:fs';
import { Agent as Dispatcher, request } from 'undici';
import { readBounded } from '../util/bounded-body.js';

export interface LinkOptions {
  /** Control plane base URLs, tried in turn. */
  readonly urls: readonly string[];
  readonly token: string;
  /** PEM files: a CA to trust (instead of the system's), and a client certificate and key for mTLS. */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** A request without an answer within this is abandoned and retried. */
  readonly timeoutMs?: number;
}

/** An answer larger than this (an assignment of tens of thousands of probes fits) is refused, not read. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** An answer that was not 2xx: its status and the control plane's error, for the log. */
export class LinkError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

export class ControlPlaneLink {
  private readonly dispatcher: Dispatcher;
  private index = 0;

  constructor(private readonly options: LinkOptions) {
    const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
    const ca = read(options.caFile);
    const cert = read(options.certFile);
    const key = read(options.keyFile);
    const timeout = options.timeoutMs ?? 30_000;
    this.dispatcher = new Dispatcher({
      connections: 1,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: Math.min(timeout, 10_000),
      connect: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    });
  }

  /** The URL requests go to now. */
  get current(): string {
    return this.options.urls[this.index]!;
  }

  /** Moves to the next URL (after a failure, or an instance that does not lead). */
  next(): void {
    this.index = (this.index + 1) % this.options.urls.length;
  }

  /** GETs or POSTs JSON; resolves with the parsed answer, rejects with a LinkError or a network error. */
  async call(method: 'GET' | 'POST', path: string, body?: string): Promise<unknown> {
    const url = new URL(path, this.current.endsWith('/') ? this.current : `${this.current}/`);
    const answer = await request(url, {
      method,
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${this.options.token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    const read = await readBounded(answer.body, MAX_ANSWER_BYTES);
    if ('tooLarge' in read)
      throw new LinkError(
        0,
        `the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; is --control-plane a prismwatch?`,
      );
    const text = read.text;
    if (answer.statusCode < 200 || answer.statusCode > 299) {
      let message = text.trim().slice(0, 300);
      try {
        message = String((JSON.parse(text) as { error?: unknown }).error ?? message);
      } catch {
        // Not JSON (a proxy's page): its first line does.
      }
      throw new LinkError(answer.statusCode, `HTTP ${answer.statusCode}: ${message}`);
    }
    return JSON.parse(text) as unknown;
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => {});
  }
}
