/**
 * The muting stage of notification, between routing and grouping (Alertmanager's pipeline has the
 * same stage): every reason an alert may notify nobody answers one question, "does this mute that
 * firing alert now, and by what?". The dispatcher, the API, the status page and the log all ask
 * here, so they can never disagree about whether an alert pages.
 *
 * Reasons, in the order they are asked (the first that answers is the one shown): silences,
 * maintenance windows, inhibition. Time intervals are not a reason here: they hold a route's
 * flushes (the whole group waits), not an alert, so the dispatcher asks them per route
 * (time-intervals.ts `heldBy`).
 */
import type { Logger } from 'pino';
import type { Alert, Muting, ShownAlert } from '../model/alert.js';
import type { SilenceSpec } from '../model/silence.js';
import type { MaintenanceRepository } from '../state/repositories.js';
import { InhibitionState, type InhibitRule } from './inhibit.js';
import { MaintenanceWindows } from './maintenance.js';
import { type SilencePersistence, Silences } from './silences.js';

/** One reason an alert may be muted. */
export interface MutingReason {
  readonly by: Muting['by'];
  /** The silence's or window's id, or the muting alert's name, while it mutes this firing alert. */
  muting(alert: Alert): string | undefined;
}

export interface MutesOptions {
  readonly silences: SilencePersistence;
  readonly maintenance: MaintenanceRepository;
  readonly now: () => number;
  readonly log: Logger;
}

/** Every muting reason, built once over the state store; the daemon shares it with whoever asks. */
export class Mutes {
  readonly silences: Silences;
  readonly maintenance: MaintenanceWindows;
  readonly inhibition = new InhibitionState();
  private readonly reasons: readonly MutingReason[];
  private inhibitRules: readonly InhibitRule[] = [];

  constructor(private readonly options: MutesOptions) {
    this.silences = new Silences(options.silences, options.now, (id, problem) =>
      options.log.warn(
        { silence: id, problem },
        'A saved silence cannot be enforced and is ignored; its alerts will notify',
      ),
    );
    this.maintenance = new MaintenanceWindows(options.maintenance, options.now, (id, problem) =>
      options.log.warn(
        { maintenance: id, problem },
        'A saved maintenance window cannot be enforced and is ignored; its alerts will notify',
      ),
    );
    this.reasons = [this.silences, this.maintenance, this.inhibition];
  }

  /** Silences and maintenance windows read again from the store (another instance wrote them). */
  reread(): void {
    this.silences.reread();
    this.maintenance.reread();
  }

  /** The config's part: its silences and inhibition rules (a reload replaces both). */
  configure(silences: readonly SilenceSpec[], inhibitRules: readonly InhibitRule[]): void {
    this.silences.setConfigSilences(silences);
    this.inhibitRules = inhibitRules;
  }

  /** Each evaluation's firing alerts: inhibition is decided once per evaluation, from these. */
  observe(firing: readonly Alert[]): void {
    this.inhibition.update(this.inhibitRules, firing, this.options.now());
  }

  /** Every alert shown with what mutes it now, so the page and the API never count a muted alert as a page. */
  shown(alerts: readonly Alert[]): ShownAlert[] {
    return alerts.map((alert) => {
      const muted = this.mutingOf(alert);
      return muted ? { ...alert, muted } : alert;
    });
  }

  /** What mutes a firing alert now, or undefined (also for alerts that are not firing). */
  mutingOf(alert: Alert): Muting | undefined {
    if (alert.state !== 'firing') return undefined;
    for (const reason of this.reasons) {
      const id = reason.muting(alert);
      if (id !== undefined) return { by: reason.by, id };
    }
    return undefined;
  }
}
