/**
 * `http_sd`: target groups from an HTTP endpoint, as Prometheus's HTTP SD asks for them: a GET every
 * refresh_interval with `X-Prometheus-Refresh-Interval-Seconds`, a 200 with a JSON list of target
 * groups (an empty list is an empty inventory, not an error). Anything else — a status, a timeout,
 * a body over the limit, JSON that breaks the format — keeps the targets last read and says why.
 * Errors name the URL without its credentials; configured headers (tokens) never appear anywhere.
 */
import { request } from 'undici';
import { readBounded } from '../util/bounded-body.js';
import { redactUrl } from '../util/redact.js';
import { USER_AGENT } from '../version.js';
import { type DiscoverySource, MAX_DOCUMENT_BYTES, type SourceUpdate } from './source.js';
import { targetsFrom } from './target-groups.js';

export interface HttpSdOptions {
  readonly url: string;
  readonly refreshIntervalMs: number;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
}

export class HttpSdSource implements DiscoverySource {
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly options: HttpSdOptions,
    private readonly report: (update: SourceUpdate) => void,
  ) {}

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      this.report({ targets: await this.fetchTargets() });
    } catch (error) {
      if (!this.stopped)
        this.report({ error: `${redactUrl(this.options.url)}: ${(error as Error).message}` });
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), this.options.refreshIntervalMs);
    this.timer.unref();
  }

  private async fetchTargets() {
    const { url, timeoutMs, refreshIntervalMs, headers } = this.options;
    const response = await request(url, {
      method: 'GET',
      headers: {
        'user-agent': USER_AGENT,
        accept: 'application/json',
        ...headers,
        'x-prometheus-refresh-interval-seconds': String(Math.round(refreshIntervalMs / 1000)),
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`HTTP ${response.statusCode} (expected 200 with a JSON list of target groups)`);
    }
    const type = String(response.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) {
      await response.body.dump();
      throw new Error(`content type "${type.slice(0, 80)}" (expected application/json)`);
    }
    const read = await readBounded(response.body, MAX_DOCUMENT_BYTES);
    if ('tooLarge' in read) throw new Error(`the answer is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    const text = read.text;
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new Error(`not valid JSON: ${(error as Error).message}`);
    }
    return targetsFrom(document, { __meta_url: redactUrl(url) });
  }
}
