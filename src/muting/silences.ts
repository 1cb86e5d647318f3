/**
 * Silences from config and from the API, one view. API silences are persisted (state store) so a
 * restart keeps them; config silences live in YAML and are changed there, not through the API.
 */
import { randomUUID } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import { formatMatcher, type Matcher, matchesAll, parseMatcher } from '../model/matchers.js';
import type { SilenceSpec } from '../model/silence.js';
import type { MutingReason } from './muting.js';

type SilenceState = 'pending' | 'active' | 'expired';

export interface SilencePersistence {
  loadSilences(onUnreadable?: (id: string, problem: string) => void): SilenceSpec[];
  saveSilence(silence: SilenceSpec): void;
}

interface NewSilence {
  readonly matchers: readonly string[];
  readonly startsAt?: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** Kept for a day after they end, so "who silenced this last night" can still be answered. */
const EXPIRED_RETENTION_MS = 24 * 60 * 60_000;

export function silenceState(silence: SilenceSpec, now: number): SilenceState {
  if (now < silence.startsAt) return 'pending';
  return now < silence.endsAt ? 'active' : 'expired';
}

export function silenceAsJson(silence: SilenceSpec, now: number) {
  return {
    id: silence.id,
    matchers: silence.matchers.map(formatMatcher),
    startsAt: new Date(silence.startsAt).toISOString(),
    endsAt: new Date(silence.endsAt).toISOString(),
    createdBy: silence.createdBy,
    comment: silence.comment,
    origin: silence.origin,
    status: { state: silenceState(silence, now) },
  };
}

export class Silences implements MutingReason {
  readonly by = 'silence';
  private fromConfig: readonly SilenceSpec[] = [];
  private readonly fromApi = new Map<string, SilenceSpec>();

  constructor(
    private readonly persistence: SilencePersistence,
    private readonly now: () => number,
    private readonly onUnreadable?: (id: string, problem: string) => void,
  ) {
    this.reread();
  }

  /** The API's silences as stored (again: another instance may have written them). */
  reread(): void {
    this.fromApi.clear();
    for (const silence of this.persistence.loadSilences(this.onUnreadable))
      this.fromApi.set(silence.id, silence);
  }

  setConfigSilences(silences: readonly SilenceSpec[]): void {
    this.fromConfig = silences;
  }

  list(): SilenceSpec[] {
    const now = this.now();
    return [...this.fromConfig, ...this.fromApi.values()].filter(
      (silence) => now - silence.endsAt < EXPIRED_RETENTION_MS,
    );
  }

  muting(alert: Alert): string | undefined {
    return this.silencedBy(alert.labels);
  }

  /** The id of an active silence muting these labels, or undefined. */
  silencedBy(labels: Readonly<Record<string, string>>): string | undefined {
    const now = this.now();
    for (const silence of [...this.fromConfig, ...this.fromApi.values()]) {
      if (silenceState(silence, now) === 'active' && matchesAll(silence.matchers, labels)) return silence.id;
    }
    return undefined;
  }

  /** Validates and stores a silence; returns it, or a message saying what is wrong. */
  add(input: NewSilence): SilenceSpec | string {
    const matchers = parseScopingMatchers(input.matchers);
    if (typeof matchers === 'string') return matchers;
    const startsAt = input.startsAt ?? this.now();
    const problem = checkSpan(startsAt, input.endsAt, this.now());
    if (problem) return problem;
    if (!input.createdBy.trim()) return 'createdBy: expected who creates the silence';
    if (!input.comment.trim()) return 'comment: expected why the silence exists';
    const silence: SilenceSpec = {
      id: randomUUID(),
      matchers,
      startsAt,
      endsAt: input.endsAt,
      createdBy: input.createdBy,
      comment: input.comment,
      origin: 'api',
    };
    this.persistence.saveSilence(silence);
    this.fromApi.set(silence.id, silence);
    return silence;
  }

  /** Ends an API silence now. */
  expire(id: string): 'expired' | 'not_found' | 'config' | 'already_expired' {
    if (this.fromConfig.some((silence) => silence.id === id)) return 'config';
    const silence = this.fromApi.get(id);
    if (!silence) return 'not_found';
    const now = this.now();
    if (silenceState(silence, now) === 'expired') return 'already_expired';
    const ended: SilenceSpec = { ...silence, endsAt: now, startsAt: Math.min(silence.startsAt, now) };
    this.persistence.saveSilence(ended);
    this.fromApi.set(id, ended);
    return 'expired';
  }
}

/**
 * Matchers that scope a silence or a maintenance window, or a message saying what is wrong. At
 * least one must not match the empty string: matchers that all match "" would mute every alert
 * (Alertmanager refuses such silences too).
 */
export function parseScopingMatchers(texts: readonly string[]): Matcher[] | string {
  const matchers: Matcher[] = [];
  for (const text of texts) {
    const parsed = parseMatcher(text);
    if (typeof parsed === 'string') return `matchers: ${parsed}`;
    matchers.push(parsed);
  }
  if (matchers.length === 0) return 'matchers: expected at least one matcher';
  if (matchesAll(matchers, {}))
    return 'matchers: expected at least one matcher that does not match the empty string';
  return matchers;
}

/** What is wrong with a [startsAt, endsAt) span that should still have time to run, or undefined. */
export function checkSpan(startsAt: number, endsAt: number, now: number): string | undefined {
  if (!Number.isFinite(endsAt) || endsAt <= startsAt) return 'endsAt: expected a time after startsAt';
  if (endsAt <= now) return 'endsAt: expected a time in the future';
  return undefined;
}
