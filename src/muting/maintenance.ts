/**
 * Ad-hoc maintenance windows: "we are deploying api for 15 minutes; ProbeDown is expected, errors
 * still page". A window scopes probes and alerts by matchers (on the probe's labels, which every
 * alert of the probe carries) and mutes either every alert in scope or only the named ones.
 *
 * Unlike a silence, a window also says something about the probes: the status page shows them as
 * "maintenance", and their runs during the window leave uptime and SLOs (unless the window says
 * they count). Windows are persisted in the state store, so a restart keeps them, and kept for
 * 90 days after they end so the history can still say what was planned.
 *
 * Recurring windows are Alertmanager's `time_intervals` on routes (time-intervals.ts); these are
 * the one-off kind, opened and closed through the API, the CLI and `prismwatch deploy`.
 */
import { randomUUID } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import { formatMatcher, type Matcher, matchesAll, parseMatcher } from '../model/matchers.js';
import type { MaintenanceRepository } from '../state/repositories.js';
import type { MutingReason } from './muting.js';
import { checkSpan, parseScopingMatchers } from './silences.js';

export interface MaintenanceWindow {
  readonly id: string;
  /** Which probes (and so which of their alerts) the window is about. */
  readonly matchers: readonly Matcher[];
  /** Alert names muted in scope; empty mutes every alert in scope. */
  readonly mute: readonly string[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  /** Runs in the window count towards uptime and SLOs as usual (default: they are left out). */
  readonly countsInUptime: boolean;
}

export interface NewMaintenance {
  readonly matchers: readonly string[];
  readonly mute?: readonly string[];
  readonly startsAt?: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly countsInUptime?: boolean;
}

type WindowState = 'pending' | 'active' | 'ended';

const DAY_MS = 24 * 60 * 60_000;
/** Ended windows stay listed this long, and stored (for history) for HISTORY_MS. */
const LISTED_AFTER_END_MS = DAY_MS;
const HISTORY_MS = 90 * DAY_MS;
const ALERT_NAME = /^[A-Za-z_:][A-Za-z0-9_:]*$/;

export function windowState(window: MaintenanceWindow, now: number): WindowState {
  if (now < window.startsAt) return 'pending';
  return now < window.endsAt ? 'active' : 'ended';
}

export function maintenanceAsJson(window: MaintenanceWindow, now: number) {
  return {
    id: window.id,
    matchers: window.matchers.map(formatMatcher),
    mute: window.mute,
    startsAt: new Date(window.startsAt).toISOString(),
    endsAt: new Date(window.endsAt).toISOString(),
    createdBy: window.createdBy,
    comment: window.comment,
    countsInUptime: window.countsInUptime,
    status: { state: windowState(window, now) },
  };
}

export class MaintenanceWindows implements MutingReason {
  readonly by = 'maintenance';
  private readonly windows = new Map<string, MaintenanceWindow>();
  constructor(
    private readonly store: MaintenanceRepository,
    private readonly now: () => number,
    private readonly onUnreadable: (id: string, problem: string) => void = () => {},
  ) {
    this.store.prune(now() - HISTORY_MS);
    this.reread();
  }

  /** The windows as stored (again: another instance may have written them). */
  reread(): void {
    this.windows.clear();
    for (const row of this.store.all()) {
      const window = decode(row.body);
      if (typeof window === 'string') this.onUnreadable(row.id, window);
      else this.windows.set(window.id, window);
    }
  }

  /** Pending, active and recently ended windows, soonest first. */
  list(): MaintenanceWindow[] {
    const now = this.now();
    return [...this.windows.values()]
      .filter((window) => now - window.endsAt < LISTED_AFTER_END_MS)
      .sort((a, b) => a.startsAt - b.startsAt);
  }

  /** Every window that overlaps [from, to), ended ones included (the status page's history). */
  overlapping(from: number, to: number): MaintenanceWindow[] {
    return [...this.windows.values()].filter((window) => window.startsAt < to && window.endsAt > from);
  }

  /**
   * The active window covering a probe with these labels at `at`, or undefined. Called for every
   * probe run: the labels are only built (by `labels()`) when some window is active at `at`.
   */
  covering(
    labels: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>),
    at = this.now(),
  ): MaintenanceWindow | undefined {
    let resolved: Readonly<Record<string, string>> | undefined;
    for (const window of this.windows.values()) {
      if (at < window.startsAt || at >= window.endsAt) continue;
      resolved ??= typeof labels === 'function' ? labels() : labels;
      if (matchesAll(window.matchers, resolved)) return window;
    }
    return undefined;
  }

  muting(alert: Alert): string | undefined {
    return this.mutedBy(alert.labels);
  }

  /** The id of an active window muting an alert with these labels, or undefined. */
  mutedBy(labels: Readonly<Record<string, string>>): string | undefined {
    const now = this.now();
    for (const window of this.windows.values()) {
      if (now < window.startsAt || now >= window.endsAt) continue;
      if (window.mute.length > 0 && !window.mute.includes(labels.alertname ?? '')) continue;
      if (matchesAll(window.matchers, labels)) return window.id;
    }
    return undefined;
  }

  /** Validates and stores a window; returns it, or a message saying what is wrong. */
  start(input: NewMaintenance): MaintenanceWindow | string {
    const matchers = parseScopingMatchers(input.matchers);
    if (typeof matchers === 'string') return matchers;
    const mute = [...new Set(input.mute ?? [])];
    const badName = mute.find((name) => !ALERT_NAME.test(name));
    if (badName !== undefined) return `mute: ${JSON.stringify(badName)} is not an alert name`;
    const startsAt = input.startsAt ?? this.now();
    const problem = checkSpan(startsAt, input.endsAt, this.now());
    if (problem) return problem;
    if (!input.createdBy.trim()) return 'createdBy: expected who opens the window';
    if (!input.comment.trim()) return 'comment: expected what the maintenance is';
    const window: MaintenanceWindow = {
      id: randomUUID(),
      matchers,
      mute,
      startsAt,
      endsAt: input.endsAt,
      createdBy: input.createdBy,
      comment: input.comment,
      countsInUptime: input.countsInUptime === true,
    };
    this.save(window);
    return window;
  }

  /** Ends a window now (a deploy that finished early); a pending one is cancelled. */
  end(id: string): 'ended' | 'not_found' | 'already_ended' {
    const window = this.windows.get(id);
    if (!window) return 'not_found';
    const now = this.now();
    if (windowState(window, now) === 'ended') return 'already_ended';
    this.save({ ...window, endsAt: now, startsAt: Math.min(window.startsAt, now) });
    return 'ended';
  }

  get(id: string): MaintenanceWindow | undefined {
    return this.windows.get(id);
  }

  private save(window: MaintenanceWindow): void {
    this.store.save(window.id, window.endsAt, JSON.stringify(maintenanceAsJson(window, 0)));
    this.windows.set(window.id, window);
  }
}

/** A stored window back, or why it cannot be enforced (a matcher that no longer parses). */
function decode(body: string): MaintenanceWindow | string {
  let json: ReturnType<typeof maintenanceAsJson>;
  try {
    json = JSON.parse(body) as ReturnType<typeof maintenanceAsJson>;
  } catch {
    return 'the stored row is not readable JSON';
  }
  // One unreadable row costs that window, never the daemon's start.
  if (!json || !Array.isArray(json.matchers) || !json.matchers.every((text) => typeof text === 'string'))
    return 'the stored row has no readable matchers';
  const matchers: Matcher[] = [];
  for (const text of json.matchers) {
    const parsed = parseMatcher(text);
    if (typeof parsed === 'string') return parsed;
    matchers.push(parsed);
  }
  return {
    id: json.id,
    matchers,
    mute: json.mute,
    startsAt: Date.parse(json.startsAt),
    endsAt: Date.parse(json.endsAt),
    createdBy: json.createdBy,
    comment: json.comment,
    countsInUptime: json.countsInUptime,
  };
}
