/**
 * Inhibition (Alertmanager's inhibit_rules): a firing alert matching `source` mutes alerts matching
 * `target` that carry the same values for every `equal` label. An alert never inhibits itself.
 *
 * One step past Alertmanager (`mute_aftermath`, default on): a target muted by a rule stays muted
 * after its source resolves, for as long as its own signal can still be holding the source's
 * incident (Alert.echoMs). Without it, "api is down" paged once and then, a minute after the
 * target came back, HighErrorRate paged too: its 5 m window still held the outage's failures.
 * A target still firing once its echo has passed is a problem of its own, and pages.
 */
import type { Alert } from '../model/alert.js';
import { type Matcher, matchesAll } from '../model/matchers.js';
import type { MutingReason } from './muting.js';

export interface InhibitRule {
  readonly source: readonly Matcher[];
  readonly target: readonly Matcher[];
  readonly equal: readonly string[];
  /**
   * A target this rule muted stays muted after the source resolves, for as long as the target's
   * own signal still remembers the source's incident (Alert.echoMs). Default on.
   */
  readonly muteAftermath: boolean;
}

interface LabelledAlert {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
}

export class Inhibitor {
  constructor(
    private readonly rules: readonly InhibitRule[],
    /** Alerts firing now: the only ones that can inhibit. */
    private readonly firing: readonly LabelledAlert[],
  ) {}

  /** The rule that mutes `alert` and the labels of its source, or undefined. */
  inhibitedBy(
    alert: LabelledAlert,
  ): { rule: InhibitRule; source: Readonly<Record<string, string>> } | undefined {
    for (const rule of this.rules) {
      if (!matchesAll(rule.target, alert.labels)) continue;
      for (const source of this.firing) {
        if (source.fingerprint === alert.fingerprint) continue;
        if (!matchesAll(rule.source, source.labels)) continue;
        if (rule.equal.every((name) => (source.labels[name] ?? '') === (alert.labels[name] ?? '')))
          return { rule, source: source.labels };
      }
    }
    return undefined;
  }
}

/** An alert muted by a `mute_aftermath` rule: which firing of it, and when its source let go. */
interface Held {
  readonly activeAt: number;
  /** The source's alert name, for "muted by …". */
  readonly source: string;
  releasedAt?: number;
}

/**
 * Which firing alerts are muted by inhibition, decided once per evaluation so that the moment a
 * source lets go is known. Kept in memory: a restart during an aftermath ends it early.
 */
export class InhibitionState implements MutingReason {
  readonly by = 'inhibition';
  private readonly held = new Map<string, Held>();
  /** Muted fingerprint → the name of the alert that mutes it. */
  private muted = new Map<string, string>();

  update(rules: readonly InhibitRule[], firing: readonly Alert[], now: number): void {
    const inhibitor = new Inhibitor(rules, firing);
    const muted = new Map<string, string>();
    for (const alert of firing) {
      const by = inhibitor.inhibitedBy(alert);
      const held = this.held.get(alert.fingerprint);
      if (by) {
        const source = by.source.alertname ?? '';
        muted.set(alert.fingerprint, source);
        if (by.rule.muteAftermath) this.held.set(alert.fingerprint, { activeAt: alert.activeAt, source });
        else this.held.delete(alert.fingerprint);
        continue;
      }
      // Only the same firing: one that resolved and fired again since is news.
      if (held && held.activeAt === alert.activeAt) {
        held.releasedAt ??= now;
        if (now - held.releasedAt < (alert.echoMs ?? 0)) {
          muted.set(alert.fingerprint, held.source);
          continue;
        }
      }
      this.held.delete(alert.fingerprint);
    }
    const firingNow = new Set(firing.map((alert) => alert.fingerprint));
    for (const fingerprint of this.held.keys())
      if (!firingNow.has(fingerprint)) this.held.delete(fingerprint);
    this.muted = muted;
  }

  muting(alert: Alert): string | undefined {
    return this.muted.get(alert.fingerprint);
  }

  isMuted(fingerprint: string): boolean {
    return this.muted.has(fingerprint);
  }

  /** The name of the alert muting this one, while it is muted. */
  sourceOf(fingerprint: string): string | undefined {
    return this.muted.get(fingerprint);
  }
}
