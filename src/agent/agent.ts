/**
 * `prismwatch agent`: runs the probes a control plane assigns to its location and sends their
 * results back, from anywhere that can open an HTTPS connection to the control plane.
 *
 * - The assignment is fetched at start and again whenever an answer names a newer version; it is
 *   validated as any config is (config/load.ts) and applied like a reload (unchanged probes keep
 *   their schedule). An assignment that does not load is logged and the running one kept.
 * - Every result goes into the disk outbox first (state/agent-outbox.ts), then out in batches,
 *   in order, with its original timestamp; a batch leaves the outbox when its answer arrives.
 *   A link that drops only delays results: they are replayed in order when it is back.
 * - Each answer carries the control plane's clock; the agent keeps its offset (from the answer
 *   with the shortest round trip of the last few) and reports it, so skew is visible there.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { loadConfigText } from '../config/load.js';
import { diffProbes } from '../config/probe-diff.js';
import { ConfigError } from '../errors.js';
import type { ProbeSpec } from '../model/probe.js';
import { retainedResult } from '../probers/retain.js';
import { runProbe } from '../probers/run-probe.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { AgentOutbox, DEFAULT_OUTBOX_MAX_RESULTS } from '../state/agent-outbox.js';
import { VERSION } from '../version.js';
import { ClockOffset } from './clock-offset.js';
import { ControlPlaneLink, LinkError, type LinkOptions } from './link.js';

/** Results per batch, and about how many bytes (the control plane takes up to 4 MiB). */
const BATCH_RESULTS = 500;
const BATCH_BYTES = 1024 * 1024;
/** A batch waits this long for more results to join it, and an idle agent reports this often. */
const BATCH_WAIT_MS = 1_000;
const HEARTBEAT_MS = 5_000;
const MAX_BACKOFF_MS = 30_000;

export interface AgentOptions extends LinkOptions {
  readonly location: string;
  readonly dataDir: string;
  readonly log: Logger;
  readonly maxOutboxResults?: number;
  readonly maxConcurrency?: number;
  readonly now?: () => number;
}

interface Assignment {
  readonly version: string;
  readonly probes: readonly Record<string, unknown>[];
}

export class PrismwatchAgent {
  readonly outbox: AgentOutbox;
  /** Results the control plane has acknowledged since start (taken, or known already). */
  acknowledged = 0;
  private readonly link: ControlPlaneLink;
  private readonly scheduler: Scheduler;
  private readonly clock = new ClockOffset();
  private readonly shutdown = new AbortController();
  private readonly now: () => number;
  private running: readonly ProbeSpec[] = [];
  private fingerprints = new Map<string, string>();
  private current = new Map<string, ProbeSpec>();
  private assignment: string | undefined;
  private wanted: string | undefined;
  private failures = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: AgentOptions) {
    this.now = options.now ?? Date.now;
    this.outbox = new AgentOutbox(options.dataDir, options.maxOutboxResults ?? DEFAULT_OUTBOX_MAX_RESULTS);
    this.link = new ControlPlaneLink(options);
    this.scheduler = new Scheduler({
      now: this.now,
      maxConcurrency: options.maxConcurrency ?? 500,
      hooks: {
        run: async (run) => {
          const result = await runProbe(run.spec, {
            log: options.log,
            now: this.now,
            signal: this.shutdown.signal,
            startedAt: run.startedAt,
          });
          if (this.shutdown.signal.aborted || this.current.get(run.spec.name) !== run.spec) return;
          this.outbox.append(run.spec.name, JSON.stringify(retainedResult(result)));
          this.wake?.();
        },
        failed: (spec, error) =>
          options.log.error(
            { err: error, probe: spec.name },
            'Recording a probe run failed (a bug); probing continues',
          ),
        skipped: () => {},
        started: () => {},
      },
    });
  }

  /** The assignment version running now (undefined before the first). */
  get version(): string | undefined {
    return this.assignment;
  }

  get probes(): readonly ProbeSpec[] {
    return this.running;
  }

  /** Starts probing and reporting; the first assignment arrives when the control plane answers. */
  start(): void {
    this.scheduler.start();
    this.loop = this.run();
  }

  async stop(graceMs = 5_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.scheduler.stop(graceMs);
    this.shutdown.abort(new DOMException('the agent is stopping', 'AbortError'));
    await this.loop;
    await this.link.close();
    this.outbox.close();
  }

  private async run(): Promise<void> {
    let lastSent = 0;
    while (!this.stopped) {
      try {
        if (this.assignment === undefined || this.wanted !== this.assignment) await this.fetchAssignment();
        const backlog = this.outbox.depth;
        if (backlog === 0 && this.now() - lastSent < HEARTBEAT_MS) {
          await this.sleep(HEARTBEAT_MS - (this.now() - lastSent), true);
          continue;
        }
        // A lone fresh result waits a moment for company: one batch a second, not one per result.
        if (backlog > 0 && backlog < BATCH_RESULTS) await this.sleep(BATCH_WAIT_MS, false);
        await this.send();
        lastSent = this.now();
        if (this.failures > 0)
          this.options.log.info({ control_plane: this.link.current }, 'Reporting to the control plane again');
        this.failures = 0;
      } catch (error) {
        this.failures++;
        const context = { err: error, control_plane: this.link.current, backlog: this.outbox.depth };
        if (this.failures === 1)
          this.options.log.warn(context, 'Cannot reach the control plane; results wait in the outbox');
        else this.options.log.debug(context, 'Control plane still unreachable');
        // Another URL may do better, unless this one answered that the request itself is wrong.
        const refusedAsWrong =
          error instanceof LinkError && error.status >= 400 && error.status < 500 && error.status !== 401;
        if (!refusedAsWrong) this.link.next();
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 1.5 ** Math.min(this.failures, 20));
        await this.sleep(delay, false);
      }
    }
    // Stopping: one last try to hand over what is queued, without waiting on a dead link.
    if (this.failures === 0 && this.outbox.depth > 0) await this.send().catch(() => {});
  }

  private async send(): Promise<void> {
    const batch = this.outbox.peek(BATCH_RESULTS, BATCH_BYTES);
    const last = batch.at(-1)?.seq;
    const body = `{"agent":${JSON.stringify({
      version: VERSION,
      outbox: this.outbox.id,
      assignment: this.assignment ?? '',
      backlog: Math.max(0, this.outbox.depth - batch.length),
      dropped: this.outbox.dropped,
      sentAt: this.now(),
      ...(this.clock.offsetMs !== undefined ? { clockOffsetMs: this.clock.offsetMs } : {}),
    })},"results":[${batch.map((entry) => `{"seq":${entry.seq},"probe":${JSON.stringify(entry.probe)},"result":${entry.result}}`).join(',')}]}`;
    const sentAt = this.now();
    const answer = (await this.link.call('POST', 'api/v1/agent/results', body)) as {
      assignment?: string;
      now?: number;
    };
    const receivedAt = this.now();
    if (typeof answer.now === 'number') this.clock.sample(sentAt, receivedAt, answer.now);
    if (last !== undefined) this.outbox.acknowledge(last);
    this.acknowledged += batch.length;
    if (typeof answer.assignment === 'string') this.wanted = answer.assignment;
  }

  private async fetchAssignment(): Promise<void> {
    const fetched = (await this.link.call('GET', 'api/v1/agent/assignment')) as Assignment;
    this.wanted = fetched.version;
    if (fetched.version === this.assignment) return;
    let config: Config;
    try {
      config = loadConfigText(
        `assignment ${fetched.version}`,
        JSON.stringify({ probes: fetched.probes ?? [] }),
      );
    } catch (error) {
      this.options.log.error(
        { err: error, assignment: fetched.version },
        error instanceof ConfigError
          ? 'The assignment does not load here (a newer kind or key?); the running probes are kept'
          : 'Could not apply the assignment; the running probes are kept',
      );
      // Not asked again until the control plane's version changes.
      this.assignment = fetched.version;
      return;
    }
    const diff = diffProbes(this.running, this.fingerprints, config.probes);
    this.running = diff.probes;
    this.fingerprints = new Map(diff.fingerprints);
    this.current = new Map(diff.probes.map((spec) => [spec.name, spec]));
    this.scheduler.sync(diff.probes);
    this.assignment = fetched.version;
    this.options.log.info(
      {
        assignment: fetched.version,
        probes: diff.probes.length,
        added: diff.added,
        removed: diff.removed.length,
      },
      'Assignment applied',
    );
  }

  /** Waits `ms`, or less when a result arrives and `wakeEarly` (or when stopping). */
  private sleep(ms: number, wakeEarly: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = wakeEarly ? done : this.stopped ? done : () => (this.stopped ? done() : undefined);
    });
  }
}
