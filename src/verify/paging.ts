/**
 * What pages when: for each rule and each probe it selects, the incident that makes it notify,
 * how long after that incident's bad run the notification goes out, how long after recovery it
 * resolves, and the shortest incident that always pages — all derived from the config, from the
 * same semantics the evaluator and dispatcher run:
 * - a bad run is seen by the first evaluation at or after it (within one evaluation interval);
 * - pending, the alert fires at the first evaluation at or after `for` (evaluations are aligned
 *   to their schedule, rules/rule-loop.ts);
 * - a new group notifies after its route's group_wait; a fully resolved group at once
 *   (flush_on_resolve);
 * - a windowed signal holds while its window holds enough bad runs, so it resolves at most one
 *   window after the last bad run (plus keep_firing_for, a run and an evaluation).
 * The "What pages when" table of docs/rules.md is this module's output for the shipped config, and the
 * acceptance scenario (test/notify/pages-scenario.test.ts) checks its bounds against a real run.
 */
import type { Config } from '../config/load.js';
import { formatMatcher, matchesAll } from '../model/matchers.js';
import type { ProbeSpec } from '../model/probe.js';
import { matchRoutes } from '../notify/routing/route.js';
import { alertLabels } from '../rules/evaluator.js';
import { type RuleSpec, selects } from '../rules/rule.js';
import { LATENCY, quantile, quantileOf, WINDOWED } from '../rules/signals.js';
import { describeThreshold } from '../rules/template.js';
import { burnTiers } from '../slo/burn-windows.js';
import { SLO_ALERT } from '../slo/engine.js';
import { burnThreshold, errorBudget, type SloSpec } from '../slo/model.js';
import { formatDuration } from '../util/duration.js';

/** A slow run in the latency rows: this much over the threshold (2.5 s against 2 s). */
export const SLOW_FACTOR = 1.25;

export interface PagingEntry {
  readonly alert: string;
  readonly severity: string;
  readonly probe: string;
  readonly intervalMs: number;
  /** Receivers the alert reaches, the log's included. */
  readonly receivers: readonly string[];
  /** The condition in words: "2 of the 20 runs in 5m fail (error_ratio > 5%)". */
  readonly condition: string;
  /** Bad runs needed (within the window for windowed signals, in a row otherwise). */
  readonly badRuns: number;
  /** What a bad run is, in words. */
  readonly badRun: 'failed' | 'slow' | 'bad';
  /** Whether the signal is computed over a window of runs. */
  readonly windowed: boolean;
  /** Notified this long after the bad run that completes the condition: [min, max]. */
  readonly pageAfterMs: readonly [number, number];
  /** Resolved notice at most this long after the last bad run. */
  readonly resolvedWithinMs: number;
  /**
   * State signals: every incident at least this long pages. Windowed: `badRuns` bad runs within this
   * span always page.
   */
  readonly shortestMs: number;
  /** Inhibit rules' sources that mute it, as written: `alertname="ProbeDown"` (equal probe). */
  readonly mutedBy: readonly string[];
  /** Why it can never fire, when it cannot (a window too short for min_samples). */
  readonly never?: string;
  /** The shortest-incident cell in words, where the general form does not fit (SLO pages). */
  readonly shortestText?: string;
}

/** Bad runs of `n` needed for a ratio signal to pass `threshold` (failures / runs). */
function ratioRunsNeeded(rule: RuleSpec, n: number): number {
  const target = rule.signal === 'success_ratio' ? 1 - rule.threshold : rule.threshold;
  const strict = rule.signal === 'success_ratio' ? rule.op === '<' : rule.op === '>';
  const exact = target * n;
  return Math.max(1, strict ? Math.floor(exact + 1e-9) + 1 : Math.ceil(exact - 1e-9));
}

/** Slow runs of `n` needed for a latency quantile to pass its threshold, the rest taking no time. */
function slowRunsNeeded(rule: RuleSpec, n: number): number {
  const slow = rule.threshold * SLOW_FACTOR;
  for (let j = 1; j <= n; j++) {
    const sorted = [...Array<number>(n - j).fill(0), ...Array<number>(j).fill(slow)];
    const value = rule.signal === 'latency_avg' ? (j * slow) / n : quantile(sorted, quantileOf(rule.signal));
    if (value > rule.threshold) return j;
  }
  return n;
}

function consecutiveNeeded(rule: RuleSpec): number {
  return Math.max(1, rule.op === '>' ? Math.floor(rule.threshold) + 1 : Math.ceil(rule.threshold));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Where an alert with these labels goes: its receivers, the longest group_wait of its routes (it
 * is told everywhere once the slowest has waited), and the inhibit rules that can mute it.
 */
function deliveryOf(labels: Readonly<Record<string, string>>, config: Pick<Config, 'notify'>) {
  const routes = matchRoutes(config.notify.route, labels);
  return {
    receivers: [...new Set(routes.map((route) => route.receiver))],
    groupWait: Math.max(0, ...routes.map((route) => route.groupWaitMs)),
    mutedBy: config.notify.inhibitRules
      .filter((inhibit) => matchesAll(inhibit.target, labels))
      .map(
        (inhibit) =>
          `${inhibit.source.map(formatMatcher).join(', ')}${inhibit.equal.length > 0 ? ` (same ${inhibit.equal.join(', ')})` : ''}`,
      ),
  };
}

/** One (rule, probe) pair. `evaluationMs` is the rule loop's interval. */
export function pagingEntry(
  rule: RuleSpec,
  probe: ProbeSpec,
  config: Pick<Config, 'notify'>,
  evaluationMs: number,
): PagingEntry {
  const interval = probe.intervalMs ?? 0;
  const { receivers, groupWait, mutedBy } = deliveryOf(alertLabels(rule, probe), config);
  const threshold = describeThreshold(rule);
  // How much of group_wait keep_firing_for does not cover: the condition must last that long too.
  const unheld = Math.max(0, groupWait - rule.keepFiringForMs);
  const base = {
    alert: rule.alert,
    severity: rule.severity,
    probe: probe.name,
    intervalMs: interval,
    receivers,
    pageAfterMs: [rule.forMs + groupWait, rule.forMs + groupWait + evaluationMs] as const,
    mutedBy,
  };
  if (WINDOWED.has(rule.signal)) {
    const n = interval > 0 ? Math.floor(rule.windowMs / interval) : rule.minSamples;
    const window = formatDuration(rule.windowMs);
    const k = LATENCY.has(rule.signal) ? slowRunsNeeded(rule, n) : ratioRunsNeeded(rule, n);
    const what = LATENCY.has(rule.signal) ? `slower than ${formatDuration(rule.threshold * 1000)}` : 'fail';
    return {
      ...base,
      condition: `${k} of the ${n} runs in ${window} ${what} (${rule.signal} ${threshold}), once watched ${window}`,
      badRuns: k,
      badRun: LATENCY.has(rule.signal) ? 'slow' : 'failed',
      windowed: true,
      resolvedWithinMs: rule.windowMs + rule.keepFiringForMs + interval + evaluationMs,
      // The k bad runs must stay in the window until the alert fires and, less what
      // keep_firing_for adds, until its group's first flush: an alert resolved by then is never told.
      shortestMs: Math.max(0, rule.windowMs - rule.forMs - evaluationMs - unheld),
      ...(n < rule.minSamples
        ? { never: `${window} holds ${n} runs at this interval, fewer than min_samples ${rule.minSamples}` }
        : {}),
    };
  }
  const k = rule.signal === 'consecutive_failures' ? consecutiveNeeded(rule) : 1;
  // Pending from the evaluation after the k-th bad run; the result must still be bad at the
  // evaluation `for` later, and the alert still firing at its group's first flush (keep_firing_for
  // covers part of that): k + ⌊(for + evaluation + unheld) / interval⌋ bad runs in a row always do it.
  const runs = interval > 0 ? k + Math.floor((rule.forMs + evaluationMs + unheld) / interval) : k;
  return {
    ...base,
    condition:
      rule.signal === 'consecutive_failures'
        ? `${plural(k, 'run')} in a row fail`
        : `${rule.signal} ${threshold}${rule.forMs > 0 ? ` for ${formatDuration(rule.forMs)}` : ''}`,
    badRuns: k,
    badRun:
      rule.signal === 'consecutive_failures' || (rule.signal === 'up' && rule.threshold === 0)
        ? 'failed'
        : 'bad',
    windowed: false,
    resolvedWithinMs: rule.keepFiringForMs + interval + evaluationMs,
    shortestMs: runs * interval,
  };
}

/**
 * An SLO's fastest page (the first page pair, 1 h and 5 m at 14.4× for 30 days) when its probes
 * fail together: k bad runs in the long window, the last in the short one. Its runs are counted in
 * minute buckets, read at each evaluation; once the runs stop failing, the short window empties
 * of them within its length and one bucket. It pages only once prismwatch has watched the SLO for
 * the long window (slo/engine.ts): a fresh start pages nothing from an SLO in its first hour.
 */
export function sloPagingEntry(
  slo: SloSpec,
  probes: readonly ProbeSpec[],
  config: Pick<Config, 'notify'>,
  evaluationMs: number,
): PagingEntry | undefined {
  const covered = probes.filter((probe) => selects(slo.select, probe) && probe.intervalMs);
  if (covered.length === 0) return undefined;
  const [tier] = burnTiers(slo);
  const pair = tier!.windows[0]!;
  const perMinute = covered.reduce((sum, probe) => sum + 60_000 / probe.intervalMs!, 0);
  const events = Math.round(perMinute * (pair.longMs / 60_000));
  const threshold = burnThreshold(slo, pair.factor);
  const k = Math.floor(threshold * events + 1e-9) + 1;
  const labels = { ...slo.labels, alertname: SLO_ALERT, severity: tier!.severity, slo: slo.name };
  const { receivers, groupWait, mutedBy } = deliveryOf(labels, config);
  const long = formatDuration(pair.longMs);
  const short = formatDuration(pair.shortMs);
  return {
    alert: SLO_ALERT,
    severity: tier!.severity,
    probe: `SLO ${slo.name}: ${covered.map((probe) => probe.name).join(', ')}`,
    intervalMs: Math.min(...covered.map((probe) => probe.intervalMs!)),
    receivers,
    condition: `${k} of the ${events} runs in ${long} ${slo.latencyMs === undefined ? 'fail' : `fail or take over ${formatDuration(slo.latencyMs)}`}, one in the last ${short} (burn > ${pair.factor}× the ${Number((errorBudget(slo) * 100).toPrecision(4))} % budget), once watched ${long}`,
    badRuns: k,
    badRun: 'failed',
    windowed: true,
    pageAfterMs: [groupWait, groupWait + evaluationMs],
    resolvedWithinMs: pair.shortMs + 60_000 + evaluationMs,
    shortestMs: pair.longMs,
    shortestText: `${k} failed runs within ${long}, one in the last ${short}`,
    mutedBy,
  };
}

/** Every (rule, probe) pair of the config, then each SLO's fastest page. */
export function whatPagesWhen(
  config: Pick<Config, 'notify' | 'rules' | 'probes'> & Partial<Pick<Config, 'slos'>>,
  evaluationMs: number,
) {
  const entries: PagingEntry[] = [];
  for (const rule of config.rules)
    for (const probe of config.probes)
      if (selects(rule.select, probe)) entries.push(pagingEntry(rule, probe, config, evaluationMs));
  for (const slo of config.slos ?? []) {
    const entry = sloPagingEntry(slo, config.probes, config, evaluationMs);
    if (entry) entries.push(entry);
  }
  return entries;
}
