/**
 * Email subject, text and HTML, rendered before the SMTP transaction starts: a template problem is
 * found before anything is sent (Alertmanager #1944) and never retried. The HTML has inline styles
 * only, no images or external assets, and every value from labels or annotations is escaped.
 */

import { alertSubject } from '../../model/alert.js';
import type { Notification, NotifiedAlert } from '../../model/notification.js';
import { escapeHtml } from '../../util/html.js';
import { acknowledgementText, alertLines, formatValue, subjectOf, whyLine } from './text-summary.js';

interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function renderEmail(notification: Notification): RenderedEmail {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  const resolved = notification.alerts.filter((alert) => alert.status === 'resolved');
  const text: string[] = [
    ...notification.alerts.slice(0, 5).map(whyLine),
    ...(notification.alerts.length > 5 ? [`… and ${notification.alerts.length - 5} more`] : []),
    '',
  ];
  if (notification.reason === 'acknowledged')
    text.push('Acknowledged: repeats and escalation of these alerts have stopped.', '');
  if (firing.length > 0)
    text.push(`${firing.length} firing:`, '', ...firing.flatMap((alert) => [...alertLines(alert), '']));
  if (resolved.length > 0)
    text.push(`${resolved.length} resolved:`, '', ...resolved.flatMap((alert) => [...alertLines(alert), '']));
  text.push(`Status: ${notification.externalURL}`);
  if (notification.grafanaURL) text.push(`Grafana: ${notification.grafanaURL}`);
  text.push(
    '',
    `Sent by prismwatch to ${notification.receiver}; notification ${notification.idempotencyKey}.`,
  );

  const section = (title: string, alerts: readonly NotifiedAlert[], colour: string) =>
    alerts.length === 0
      ? ''
      : `<h2 style="font-size:16px;color:${colour};margin:16px 0 8px">${escapeHtml(title)}</h2>${alerts
          .map(
            (
              alert,
            ) => `<table role="presentation" style="border-collapse:collapse;margin:0 0 12px;border-left:4px solid ${colour};padding-left:8px">
<tr><td style="padding:2px 8px"><strong>${escapeHtml(alert.labels.alertname ?? '')}</strong> on <code>${escapeHtml(alertSubject(alert.labels))}</code> (${escapeHtml(alert.labels.severity ?? 'no severity')})</td></tr>
${alert.annotations.summary ? `<tr><td style="padding:2px 8px">${escapeHtml(alert.annotations.summary)}</td></tr>` : ''}
${alert.evidence ? `<tr><td style="padding:2px 8px">${escapeHtml(alert.evidence)}</td></tr>` : ''}
${alert.failure ? `<tr><td style="padding:2px 8px">Failure <code>${escapeHtml(alert.failure.code)}</code>: ${escapeHtml(alert.failure.message)}</td></tr>` : ''}
<tr><td style="padding:2px 8px">Value <strong>${escapeHtml(formatValue(alert.value))}</strong>${alert.threshold ? `, threshold ${escapeHtml(alert.threshold)}` : ''}</td></tr>
<tr><td style="padding:2px 8px">Since ${escapeHtml(alert.startsAt)}${alert.firstFailureAt ? ` (first failure ${escapeHtml(alert.firstFailureAt)})` : ''}${alert.status === 'resolved' ? `, resolved ${escapeHtml(alert.endsAt)}${alert.duration ? ` after ${escapeHtml(alert.duration)}` : ''}` : ''}</td></tr>
${alert.annotations.description ? `<tr><td style="padding:2px 8px">${escapeHtml(alert.annotations.description)}</td></tr>` : ''}
<tr><td style="padding:2px 8px">${alert.probeURL ? `<a href="${escapeHtml(alert.probeURL)}">Probe</a> · ` : ''}<a href="${escapeHtml(alert.generatorURL)}">Details</a>${alert.annotations.runbook_url ? ` · <a href="${escapeHtml(alert.annotations.runbook_url)}">Runbook</a>` : ''}</td></tr>
${alert.acknowledged ? `<tr><td style="padding:2px 8px">Acknowledged ${escapeHtml(acknowledgementText(alert.acknowledged))}</td></tr>` : ''}
${alert.acknowledgeURL ? `<tr><td style="padding:6px 8px"><a href="${escapeHtml(alert.acknowledgeURL)}" style="display:inline-block;padding:6px 12px;background:#1a1a1a;color:#fff;text-decoration:none;border-radius:4px">Acknowledge</a></td></tr>` : ''}
</table>`,
          )
          .join('\n')}`;
  const links = [
    `<a href="${escapeHtml(notification.externalURL)}">Status</a>`,
    ...(notification.grafanaURL ? [`<a href="${escapeHtml(notification.grafanaURL)}">Grafana</a>`] : []),
  ].join(' · ');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subjectOf(notification))}</title></head>
<body style="font-family:system-ui,sans-serif;font-size:14px;color:#1a1a1a">
${notification.reason === 'acknowledged' ? '<p><strong>Acknowledged</strong>: repeats and escalation of these alerts have stopped.</p>' : ''}
${section(`${firing.length} firing`, firing, '#b00020')}
${section(`${resolved.length} resolved`, resolved, '#1b5e20')}
<p>${links}</p>
<p style="color:#666;font-size:12px">Sent by prismwatch to ${escapeHtml(notification.receiver)}; notification ${escapeHtml(notification.idempotencyKey)}.</p>
</body></html>`;
  return { subject: subjectOf(notification), text: text.join('\n'), html };
}
