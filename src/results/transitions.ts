/** One log line when a probe starts failing and one when it recovers, not one per run. */
import type { Logger } from 'pino';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';

export class TransitionLog {
  private readonly lastOk = new Map<string, boolean>();

  constructor(private readonly log: Logger) {}

  record(spec: ProbeSpec, result: ProbeResult): void {
    const wasOk = this.lastOk.get(spec.name);
    this.lastOk.set(spec.name, result.ok);
    if (result.ok && wasOk === false) {
      this.log.info({ probe: spec.name, duration_ms: result.durationMs }, 'Probe recovered');
    } else if (!result.ok && wasOk !== false) {
      this.log.warn(
        {
          probe: spec.name,
          failure: result.failure?.code,
          phase: result.failure?.phase,
          reason: result.failure?.message,
        },
        'Probe failing',
      );
    }
  }

  forget(name: string): void {
    this.lastOk.delete(name);
  }
}
