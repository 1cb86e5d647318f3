/**
 * A notification as plain text, shared by email and the chat and paging channels: a title
 * (Alertmanager's `[FIRING:n] <group>` with where and severity), one "why" line per alert, and a
 * block per alert (what, where, why, value vs threshold, since, links). fitText keeps whole
 * blocks within a vendor's size limit and says how many alerts it left out.
 */
import { alertSubject } from '../../model/alert.js';
import type { Notification, NotifiedAlert } from '../../model/notification.js';

function firingCount(notification: Notification): number {
  return notification.alerts.filter((alert) => alert.status === 'firing').length;
}

/** Who acknowledged, for an acknowledgement notice's title: the first alert's (usually the only one). */
function acknowledgedBy(notification: Notification): string {
  const by = notification.alerts.find((alert) => alert.acknowledged)?.acknowledged?.by;
  return by ? ` by ${by}` : '';
}

export function subjectOf(notification: Notification): string {
  const status =
    notification.reason === 'acknowledged'
      ? '[ACKNOWLEDGED]'
      : notification.status === 'firing'
        ? `[FIRING:${firingCount(notification)}]${notification.reason === 'escalated' ? ' [ESCALATED]' : ''}`
        : '[RESOLVED]';
  const group = Object.keys(notification.groupLabels)
    .sort()
    .map((name) => notification.groupLabels[name])
    .join(' ');
  const severity = notification.commonLabels.severity;
  // Where, when the grouping does not say it: the probes, a few of them.
  const probes = [...new Set(notification.alerts.map((alert) => alertSubject(alert.labels)).filter(Boolean))];
  const where =
    notification.groupLabels.probe === undefined && probes.length > 0
      ? ` on ${probes.slice(0, 3).join(', ')}${probes.length > 3 ? ` +${probes.length - 3}` : ''}`
      : '';
  // Header injection: a label value cannot carry a line break into the Subject header.
  const taken = notification.reason === 'acknowledged' ? acknowledgedBy(notification) : '';
  return `${status} ${group}${where}${severity ? ` (${severity})` : ''}${taken}`.replace(/[\r\n]+/g, ' ');
}

export function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
}

export function alertLines(alert: NotifiedAlert): string[] {
  const lines = [
    `[${alert.status.toUpperCase()}] ${alert.labels.alertname ?? ''} on ${alertSubject(alert.labels)} (${alert.labels.severity ?? 'no severity'})`,
  ];
  if (alert.annotations.summary) lines.push(`  ${alert.annotations.summary}`);
  if (alert.evidence) lines.push(`  evidence: ${alert.evidence}`);
  if (alert.failure) lines.push(`  failure: ${alert.failure.code}: ${alert.failure.message}`);
  if (alert.failure?.traceId) lines.push(`  trace: ${alert.failure.traceId}`);
  if (alert.failure?.path) lines.push(`  path: ${alert.failure.path}`);
  lines.push(
    `  value: ${formatValue(alert.value)}${alert.threshold ? `   threshold: ${alert.threshold}` : ''}`,
  );
  lines.push(
    `  since: ${alert.startsAt}${alert.firstFailureAt ? `   first failure: ${alert.firstFailureAt}` : ''}${alert.status === 'resolved' ? `   resolved: ${alert.endsAt}${alert.duration ? ` (lasted ${alert.duration})` : ''}` : ''}`,
  );
  if (alert.annotations.description) lines.push(`  ${alert.annotations.description}`);
  if (alert.probeURL) lines.push(`  probe: ${alert.probeURL}`);
  if (alert.annotations.runbook_url) lines.push(`  runbook: ${alert.annotations.runbook_url}`);
  lines.push(`  details: ${alert.generatorURL}`);
  if (alert.acknowledged) lines.push(`  acknowledged: ${acknowledgementText(alert.acknowledged)}`);
  if (alert.acknowledgeURL) lines.push(`  acknowledge: ${alert.acknowledgeURL}`);
  return lines;
}

/** "by Ana at 2026-12-07T02:10:00.000Z: looking at the database". */
export function acknowledgementText(ack: NonNullable<NotifiedAlert['acknowledged']>): string {
  return `by ${ack.by} at ${ack.at}${ack.comment ? `: ${ack.comment}` : ''}`;
}

/** The first line of the mail: why, for each alert (a few). */
export function whyLine(alert: NotifiedAlert): string {
  const what = `${alert.labels.alertname ?? ''} on ${alertSubject(alert.labels)}`;
  if (alert.status === 'firing' && alert.acknowledged)
    return `${what} acknowledged ${acknowledgementText(alert.acknowledged)}`;
  if (alert.status === 'resolved')
    return `${what} resolved${alert.duration ? ` after ${alert.duration}` : ''}${alert.evidence ? `: ${alert.evidence}` : ''}`;
  const why = alert.evidence ?? alert.annotations.summary ?? '';
  return `${what}: ${why}${alert.failure ? ` (${alert.failure.code}: ${alert.failure.message})` : ''}`;
}

/**
 * The alerts' blocks within `maxChars` (a vendor's limit): the why lines first, then whole alert
 * blocks while they fit, then "… N more alerts: <status URL>". Never cuts inside a block, except
 * a first block longer than the limit, cut at a character boundary with "…".
 */
export function fitText(notification: Notification, maxChars: number): string {
  const why = notification.alerts.slice(0, 5).map(whyLine);
  const blocks = notification.alerts.map((alert) => alertLines(alert).join('\n'));
  const more = (left: number) => `… ${left} more alert${left === 1 ? '' : 's'}: ${notification.externalURL}`;
  let text = why.join('\n');
  let shown = 0;
  for (const block of blocks) {
    const next = `${text}\n\n${block}`;
    const reserve = shown + 1 < blocks.length ? more(blocks.length - shown - 1).length + 2 : 0;
    if ([...next].length + reserve > maxChars) break;
    text = next;
    shown += 1;
  }
  if (shown < blocks.length) text = `${text}\n\n${more(blocks.length - shown)}`;
  return cutChars(text, maxChars);
}

/** `text` cut to `max` characters (not UTF-16 units), ending in "…" when cut. */
export function cutChars(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
