/**
 * When a probe of a kind that names a network target (`pathTarget`: http, tcp, icmp) goes down
 * without reaching its target — a connect timeout, no route, no echo reply — the path to its
 * target is traced once, and the line it gives is kept on the probe's history for the alert's
 * evidence and the incident ("path stops after hop 4, 10.0.0.1"). Once per down streak, a few at
 * a time (an outage that takes 1,000 probes down traces a few paths, not 1,000), each bounded in
 * hops and time, and never for an agent's run (its path is not this instance's).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { FailureCode } from '../model/failure.js';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import { proberFor } from '../probers/index.js';
import type { ResultStore } from '../results/history.js';
import { tracePath } from './traceroute.js';

/**
 * Failures where the target was never reached: the path is the question. A refusal, a reply
 * that timed out after connecting (a stalled service) or a 503 came back over a working path.
 */
const PATH_FAILURES = new Set<FailureCode>([
  'connect_timeout',
  'connect_error',
  'icmp_no_reply' as FailureCode,
  'icmp_loss' as FailureCode,
]);

const MAX_AT_ONCE = 4;
const MAX_HOPS = 16;
/** The longest a trace may take: 16 hops, each answered or not within a second, and some slack. */
const TRACE_BOUND_MS = 30_000;

export class PathEvidence {
  private readonly down = new Set<string>();
  private running = 0;
  private warnedMissing = false;
  private readonly stopping = new AbortController();

  constructor(private readonly options: { readonly results: ResultStore; readonly log: Logger }) {}

  observe(spec: ProbeSpec, result: ProbeResult): void {
    if (spec.agent) return;
    if (result.ok) {
      // Recovered: the path traced for the outage is no longer evidence of anything.
      if (this.down.delete(spec.name))
        this.options.results.get(spec.name)?.notePath(result.startedAt, undefined);
      return;
    }
    if (this.down.has(spec.name) || !result.failure || !PATH_FAILURES.has(result.failure.code)) return;
    const target = proberFor(spec.kind)?.pathTarget?.(spec.settings);
    if (!target || this.running >= MAX_AT_ONCE) return;
    this.down.add(spec.name);
    this.running++;
    // Evidence is a courtesy: whatever goes wrong taking it is logged, never the daemon's end.
    this.trace(spec.name, target, result.startedAt)
      .catch((error: unknown) =>
        this.options.log.warn({ err: error, probe: spec.name }, 'Could not trace the path'),
      )
      .finally(() => {
        this.running--;
      });
  }

  /** Kills the traces under way (shutdown). */
  stop(): void {
    this.stopping.abort();
  }

  private async trace(probe: string, target: string, at: number): Promise<void> {
    let address = target;
    try {
      if (!isIP(target)) address = (await lookup(target)).address;
    } catch {
      return; // A name that does not resolve has no path to trace; the failure says so already.
    }
    const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(TRACE_BOUND_MS)]);
    const text = await tracePath(address, { maxHops: MAX_HOPS, waitSeconds: 1, signal });
    if (typeof text !== 'string') {
      if (!this.warnedMissing)
        this.options.log.warn(
          'traceroute is not installed, so incidents carry no path evidence (apt-get install traceroute)',
        );
      this.warnedMissing = true;
      return;
    }
    // Stopped, or recovered while the trace ran: the path is no longer this outage's evidence.
    if (this.stopping.signal.aborted || !this.down.has(probe)) return;
    this.options.results.get(probe)?.notePath(at, text);
    this.options.log.info({ probe, path: text }, 'Traced the path to a probe that went down');
  }
}
