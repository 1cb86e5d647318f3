/** JSON views of probes and their recent results, for scripts, the status page and `verify`. */

import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import { displayTarget, FACTS } from '../probers/index.js';
import { probeState, type ResultStore } from '../results/history.js';
import type { WaitingForData } from '../rules/evaluator.js';
import { formatWait } from '../util/duration.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Where the run's screenshots and traces are served, when it left any. */
function artifactsOf(result: ProbeResult): { artifacts?: string[] } {
  const links = FACTS.flatMap((section) => {
    const facts = result.facts[section.key];
    return facts === undefined || !section.artifacts ? [] : section.artifacts(facts as never);
  });
  return links.length > 0 ? { artifacts: [...links] } : {};
}

/** `maintenanceOf`: the active maintenance window covering a probe, shown as `maintenance`. */
export function probesAsJson(
  probes: readonly ProbeSpec[],
  results: ResultStore,
  maintenanceOf: (spec: ProbeSpec) => { id: string; endsAt: number; comment: string } | undefined = () =>
    undefined,
  /** Windowed rules that cannot judge yet (rules/evaluator.ts waitingForData). */
  waiting: readonly WaitingForData[] = [],
) {
  return probes.map((spec) => {
    const window = maintenanceOf(spec);
    const insufficient = waiting.filter((entry) => entry.probe === spec.name);
    const history = results.get(spec.name);
    const samples = history?.samples() ?? [];
    const last = history?.last;
    return {
      name: spec.name,
      kind: spec.kind,
      target: displayTarget(spec),
      ...(spec.description ? { description: spec.description } : {}),
      labels: spec.labels,
      ...(spec.intervalMs !== undefined
        ? { intervalSeconds: spec.intervalMs / 1000 }
        : { schedule: spec.schedule }),
      timeoutSeconds: spec.timeoutMs / 1000,
      source: `${spec.source.file}:${spec.source.line}`,
      // Made from a discovered target: the source and the target it came from.
      ...(spec.discovered ? { discovered: spec.discovered } : {}),
      // A heartbeat's own state (new, up, late, down), as prismwatch_heartbeat_state says it:
      // a late job's run still succeeds, and the API read "up" while the metric read "late".
      state: last?.facts.heartbeat?.state ?? probeState(last),
      ...(insufficient.length > 0
        ? {
            // "Insufficient data": the rule has not watched the probe for a whole window yet.
            insufficientData: insufficient.map((entry) => ({
              alert: entry.alert,
              runs: entry.runs,
              readyIn: formatWait(entry.readyInMs),
            })),
          }
        : {}),
      ...(window
        ? { maintenance: { id: window.id, endsAt: iso(window.endsAt), comment: window.comment } }
        : {}),
      ...(last
        ? {
            lastRun: {
              at: iso(last.startedAt),
              ok: last.ok,
              durationSeconds: last.durationMs / 1000,
              ...(last.failure ? { failure: last.failure } : {}),
              ...artifactsOf(last),
            },
          }
        : {}),
      ...(history?.lastFailure
        ? { lastFailure: { at: iso(history.lastFailure.startedAt), ...history.lastFailure.failure } }
        : {}),
      recent: {
        samples: samples.length,
        successRatio:
          samples.length === 0 ? null : samples.filter((sample) => sample.ok).length / samples.length,
        since: samples.length === 0 ? null : iso(samples[0]!.at),
      },
    };
  });
}

/** The probe's samples, oldest first; undefined when no such probe is configured. */
export function probeResultsAsJson(
  probes: readonly ProbeSpec[],
  results: ResultStore,
  name: string,
  sinceMs?: number,
) {
  if (!probes.some((spec) => spec.name === name)) return undefined;
  return (results.get(name)?.samples(sinceMs) ?? []).map((sample) => ({
    at: iso(sample.at),
    ok: sample.ok,
    durationSeconds: sample.durationMs / 1000,
    ...(sample.failure ? { failure: sample.failure } : {}),
    ...(sample.status > 0 ? { status: sample.status } : {}),
  }));
}
