/**
 * The alive ping (`global.heartbeat` in the config; not the `heartbeat` probe kind, which receives
 * pings from jobs): every interval, prismwatch says it is alive to a URL outside it, the way
 * healthchecks.io expects: a POST to the URL while healthy, to `<url>/fail` when it is not, with
 * the reason as the body. A daemon killed outright simply stops pinging, and the other side's
 * period and grace notice. Unhealthy means what self-health.ts says: probes stalled,
 * notifications failing, state unwritable. A ping that fails is logged, never with the URL (it
 * usually holds the check's secret id), and does not stop the next.
 */
import type { Logger } from 'pino';
import type { NotifyConfig } from '../config/model.js';
import { Poster } from '../receivers/json-post.js';

type HeartbeatConfig = NonNullable<NotifyConfig['heartbeat']>;

export class AlivePing {
  private timer: NodeJS.Timeout | undefined;
  private config: HeartbeatConfig | undefined;
  private poster: Poster | undefined;
  private inFlight = false;

  constructor(
    /** Why prismwatch is unhealthy now, or undefined when it is healthy. */
    private readonly problem: () => string | undefined,
    private readonly log: Logger,
  ) {}

  /** Starts, restarts with new settings, or stops (undefined) the pings. */
  configure(config: HeartbeatConfig | undefined): void {
    const same =
      config?.url === this.config?.url &&
      config?.intervalMs === this.config?.intervalMs &&
      config?.timeoutMs === this.config?.timeoutMs;
    if (same) return;
    this.stop();
    this.config = config;
    if (!config) return;
    this.poster = new Poster(config.timeoutMs);
    this.timer = setInterval(() => void this.beat(), config.intervalMs);
    this.timer.unref();
    void this.beat();
  }

  private async beat(): Promise<void> {
    const { config, poster } = this;
    if (!config || !poster || this.inFlight) return;
    this.inFlight = true;
    const problem = this.problem();
    const url = new URL(config.url);
    if (problem) url.pathname = `${url.pathname.replace(/\/+$/, '')}/fail`;
    try {
      const answer = await poster.post(
        url.toString(),
        problem ?? 'ok',
        {},
        Date.now(),
        'text/plain; charset=utf-8',
      );
      if (answer.status >= 300)
        this.log.warn(
          { status: answer.status, failing: problem !== undefined },
          'Heartbeat ping was not accepted',
        );
    } catch (error) {
      const code = (error as { code?: string; name?: string }).code ?? (error as Error).name;
      this.log.warn({ error: code }, 'Heartbeat ping failed');
    } finally {
      this.inFlight = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.poster?.close();
    this.poster = undefined;
  }
}
