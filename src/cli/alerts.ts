/** `prismwatch alerts`: the running daemon's alerts, as a table (or JSON). */
import { PrismwatchError } from '../errors.js';
import { alertSubject } from '../model/alert.js';
import { renderTable } from '../util/table.js';

interface ApiAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly status: {
    readonly state: string;
    readonly mutedBy?: { readonly by: string; readonly id: string };
    readonly acknowledgedBy?: { readonly by: string };
  };
  readonly activeAt?: string;
  readonly startsAt?: string;
  readonly endsAt?: string;
}

const STATE_ORDER = ['firing', 'pending', 'resolved'];

function renderAlertsTable(alerts: readonly ApiAlert[], now = Date.now()): string {
  if (alerts.length === 0) return 'No alerts.\n';
  const since = (iso: string | undefined) => {
    if (!iso) return '';
    const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    return seconds < 120
      ? `${seconds}s`
      : seconds < 7_200
        ? `${Math.round(seconds / 60)}m`
        : `${Math.round(seconds / 3_600)}h`;
  };
  const rows = [...alerts]
    .sort(
      (a, b) =>
        STATE_ORDER.indexOf(a.status.state) - STATE_ORDER.indexOf(b.status.state) ||
        (a.labels.severity ?? '').localeCompare(b.labels.severity ?? '') ||
        (a.labels.alertname ?? '').localeCompare(b.labels.alertname ?? ''),
    )
    .map((alert) => [
      alert.status.mutedBy
        ? `${alert.status.state.toUpperCase()} (muted: ${alert.status.mutedBy.by})`
        : alert.status.acknowledgedBy
          ? `${alert.status.state.toUpperCase()} (acknowledged: ${alert.status.acknowledgedBy.by})`
          : alert.status.state.toUpperCase(),
      alert.labels.severity ?? '',
      alert.labels.alertname ?? '',
      alertSubject(alert.labels),
      since(alert.status.state === 'resolved' ? alert.endsAt : alert.activeAt),
      alert.annotations.summary ?? '',
    ]);
  return renderTable(['STATE', 'SEVERITY', 'ALERT', 'SUBJECT', 'SINCE', 'SUMMARY'], rows);
}

export async function runAlertsCommand(
  baseUrl: string,
  options: { json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  let alerts: ApiAlert[];
  try {
    const response = await fetch(`${baseUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    alerts = (await response.json()) as ApiAlert[];
  } catch (error) {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `could not read alerts from ${baseUrl}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  out.write(options.json ? `${JSON.stringify(alerts, null, 2)}\n` : renderAlertsTable(alerts));
  return alerts.some((alert) => alert.status.state === 'firing') ? 1 : 0;
}
