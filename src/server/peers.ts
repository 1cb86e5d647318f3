/**
 * `--peer URL`: other prismwatch instances (other locations) whose probes this one's status page
 * shows beside its own, read from their `GET /api/v1/probes`. Read-only and best effort: no
 * coordination, nothing written. Peers are polled on a timer, never while a page renders, so a
 * slow or dead peer costs the page nothing; it shows as "unreachable" with the reason.
 */
import type { Logger } from 'pino';

/** A peer's answer larger than this is refused: a status page does not need 10,000 probes' JSON twice. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/**
 * Probes kept per peer; a longer list is cut here and the cut is shown. A peer listing 150,000
 * (4.3 MB, under the byte cap) made each status page render build 102 MB and take 8–14 s.
 */
export const MAX_PEER_PROBES = 5_000;
const TIMEOUT_MS = 3_000;

export interface PeerProbe {
  readonly name: string;
  readonly state: string;
}

export interface PeerState {
  readonly url: string;
  /** The peer's location label (from its probes), or its host when it has none. */
  readonly location: string;
  readonly probes: ReadonlyMap<string, PeerProbe>;
  /** Probes the peer listed beyond MAX_PEER_PROBES, left out. */
  readonly omitted?: number;
  /** Why the last poll failed; the probes are then the last ones read (possibly none). */
  readonly error?: string;
  readonly fetchedAt?: number;
}

/** The peer's probes from its JSON, or why it is not what /api/v1/probes answers. */
export function parsePeerProbes(
  body: unknown,
): { probes: PeerProbe[]; location?: string; omitted: number } | string {
  if (!Array.isArray(body)) return 'expected the JSON list of /api/v1/probes';
  const probes: PeerProbe[] = [];
  let location: string | undefined;
  for (const entry of body.slice(0, MAX_PEER_PROBES)) {
    if (!entry || typeof entry !== 'object') return 'expected probe objects';
    const { name, state, labels } = entry as { name?: unknown; state?: unknown; labels?: unknown };
    if (typeof name !== 'string' || typeof state !== 'string')
      return 'expected probes with a name and a state';
    probes.push({ name, state: ['up', 'down', 'unknown'].includes(state) ? state : 'unknown' });
    const label =
      labels && typeof labels === 'object' ? (labels as Record<string, unknown>).location : undefined;
    if (typeof label === 'string') location ??= label;
  }
  return { probes, ...(location ? { location } : {}), omitted: Math.max(0, body.length - MAX_PEER_PROBES) };
}

/** scheme://host:port with the default port spelled out and localhost as 127.0.0.1, for comparing. */
function sameOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
    const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname;
    return `${parsed.protocol}//${host}:${port}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}

export class Peers {
  private readonly states = new Map<string, PeerState>();
  private timer: NodeJS.Timeout | undefined;

  private urls: readonly string[];

  constructor(
    urls: readonly string[],
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.urls = urls;
    for (const url of urls) this.states.set(url, { url, location: new URL(url).host, probes: new Map() });
  }

  /**
   * Polls every peer now and then every `intervalMs`. A peer that is this instance (its own
   * address or external URL: one list of peers copied to every instance, say) is left out:
   * it was shown twice, once as "this instance" and once as a peer.
   */
  /** `self`: the URLs this instance is reached under (unset ones left out), never polled as a peer. */
  start(intervalMs: number, self: ReadonlyArray<string | undefined> = []): void {
    const own = new Set(self.flatMap((url) => (url === undefined ? [] : [sameOrigin(url)])));
    const mine = this.urls.filter((url) => own.has(sameOrigin(url)));
    if (mine.length > 0) {
      this.log.info({ peers: mine }, 'Peer left out: it is this instance');
      this.urls = this.urls.filter((url) => !own.has(sameOrigin(url)));
      for (const url of mine) this.states.delete(url);
    }
    if (this.urls.length === 0) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  list(): PeerState[] {
    return [...this.states.values()];
  }

  /** One round of polls; resolves when every peer has answered or failed. */
  async poll(): Promise<void> {
    await Promise.all(this.urls.map((url) => this.pollOne(url)));
  }

  private async pollOne(url: string): Promise<void> {
    const previous = this.states.get(url)!;
    try {
      const response = await fetch(`${url.replace(/\/+$/, '')}/api/v1/probes`, {
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > MAX_BODY_BYTES) throw new Error(`answer of ${declared} bytes is over the limit`);
      const text = await response.text();
      if (text.length > MAX_BODY_BYTES) throw new Error('answer over the size limit');
      const parsed = parsePeerProbes(JSON.parse(text) as unknown);
      if (typeof parsed === 'string') throw new Error(parsed);
      this.states.set(url, {
        url,
        location: parsed.location ?? previous.location,
        probes: new Map(parsed.probes.map((probe) => [probe.name, probe])),
        ...(parsed.omitted > 0 ? { omitted: parsed.omitted } : {}),
        fetchedAt: this.now(),
      });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${TIMEOUT_MS} ms`
          : (error as Error).message;
      if (previous.error !== reason)
        this.log.warn({ peer: url, reason }, 'A peer cannot be read; the status page shows it unreachable');
      this.states.set(url, { ...previous, error: reason });
    }
  }
}
