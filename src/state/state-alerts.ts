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
