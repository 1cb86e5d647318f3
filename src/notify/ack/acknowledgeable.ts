/** Which alerts people may acknowledge. */
import type { Alert } from '../../model/alert.js';

/** prismwatch's always-firing alert (notifier.ts), routed to a dead man's switch. */
export const WATCHDOG_LABELS: Readonly<Record<string, string>> = {
  alertname: 'Watchdog',
  severity: 'none',
  probe: 'prismwatch',
};

/**
 * A firing alert, except the Watchdog: it fires on purpose so that a dead man's switch hears it
 * repeat, and acknowledging it would stop the repeats and set the switch off.
 */
export function acknowledgeable(alert: Pick<Alert, 'state' | 'labels'>): boolean {
  return (
    alert.state === 'firing' &&
    !(alert.labels.alertname === WATCHDOG_LABELS.alertname && alert.labels.probe === WATCHDOG_LABELS.probe)
  );
}
