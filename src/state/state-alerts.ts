/**
 * prismwatch's own alerts about its state: PrismwatchStateReset (the database was unreadable and
 * a fresh one was started: alert history and pending notifications from before are gone) and
 * PrismwatchStateNotPersisted (nothing is being saved: a restart will forget every alert and
 * re-announce what still fires). They route like any alert.
 */
import { type Alert, fingerprintOf, RESOLVED_RETENTION_MS } from '../model/alert.js';
import type { StoreOpening } from './open-store.js';

const STATE_RESET = 'PrismwatchStateReset';
const STATE_NOT_PERSISTED = 'PrismwatchStateNotPersisted';
export const STORE_UNAVAILABLE = 'StateStoreUnavailable';

/** A reset is an event: its alert fires for this long, long enough to be seen and routed, then resolves. */
const STATE_RESET_ALERT_MS = 60 * 60_000;

function ownAlert(name: string, severity: string, annotations: Record<string, string>, at: number): Alert {
  const labels = { alertname: name, severity, probe: 'prismwatch' };
  return {
    fingerprint: fingerprintOf(labels),
    rule: name,
    probe: 'prismwatch',
    labels,
    annotations,
    state: 'firing',
    value: 1,
    activeAt: at,
    firedAt: at,
  };
}

export class StateAlerts {
  private readonly alerts: Alert[] = [];

  constructor(opening: StoreOpening, startedAt: number) {
    if (opening.status === 'reset') {
      this.alerts.push(
        ownAlert(
          STATE_RESET,
          'warning',
          {
            summary: `prismwatch's state database was unreadable and has been replaced by a fresh one`,
            description: `${opening.file}: ${opening.reason}. The old file is kept as ${opening.movedTo}. Alert history, silences made through the API and queued notifications from before were lost; probing was not interrupted.`,
          },
          startedAt,
        ),
      );
    }
    if (opening.status === 'memory') {
      this.alerts.push(
        ownAlert(
          STATE_NOT_PERSISTED,
          'warning',
          {
            summary:
              'prismwatch is running without persistence: alert state and notifications are kept in memory only',
            description: `${opening.reason}. A restart will forget every alert and silence; fix the data directory and restart.`,
          },
          startedAt,
        ),
      );
    }
  }

  /**
   * StateStoreUnavailable: the shared state database refuses writes (since `since`). It goes out
   * without the claim other notifications need (there is no database to claim in), through every
   * receiver its route names; it resolves when the database is back.
   */
  storeUnavailable(
    outage: { readonly since: number; readonly reason: string } | undefined,
    now: number,
  ): void {
    const current = this.alerts.find((alert) => alert.rule === STORE_UNAVAILABLE && alert.state === 'firing');
    if (outage && !current) {
      const earlier = this.alerts.findIndex((alert) => alert.rule === STORE_UNAVAILABLE);
      if (earlier >= 0) this.alerts.splice(earlier, 1);
      this.alerts.push(
        ownAlert(
          STORE_UNAVAILABLE,
          'critical',
          {
            summary: 'prismwatch cannot reach its shared state database',
            description: `${outage.reason}. Probing and the status page go on; notifications are decided and wait in memory until the database is back. Other instances cannot take over while it is away.`,
          },
          outage.since,
        ),
      );
    } else if (!outage && current) {
      current.state = 'resolved';
      current.resolvedAt = now;
    }
  }

  /** The alerts as of `now`: the reset alert resolves after STATE_RESET_ALERT_MS and is gone after the usual retention. */
  list(now: number): Alert[] {
    for (const alert of this.alerts) {
      if (
        alert.rule === STATE_RESET &&
        alert.state === 'firing' &&
        now - alert.activeAt >= STATE_RESET_ALERT_MS
      ) {
        alert.state = 'resolved';
        alert.resolvedAt = now;
      }
    }
    return this.alerts.filter(
      (alert) => alert.state !== 'resolved' || now - (alert.resolvedAt ?? now) < RESOLVED_RETENTION_MS,
    );
  }
}
