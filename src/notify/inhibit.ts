/**
 * Inhibition (Alertmanager's inhibit_rules): a firing alert matching `source` mutes alerts matching
 * `target` that carry the same values for every `equal` label. An alert never inhibits itself.
 */
import { matchesAll } from './matchers.js';
import type { InhibitRule } from './model.js';

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

  /** The labels of the alert that mutes `alert`, or undefined. */
  inhibitedBy(alert: LabelledAlert): Readonly<Record<string, string>> | undefined {
    for (const rule of this.rules) {
      if (!matchesAll(rule.target, alert.labels)) continue;
      for (const source of this.firing) {
        if (source.fingerprint === alert.fingerprint) continue;
        if (!matchesAll(rule.source, source.labels)) continue;
        if (rule.equal.every((name) => (source.labels[name] ?? '') === (alert.labels[name] ?? '')))
          return source.labels;
      }
    }
    return undefined;
  }
}
