/**
 * A webhook's optional `body_template`: a YAML mapping (or list) sent as JSON instead of the
 * Alertmanager payload, for receivers that want their own shape (chat tools, ticket systems).
 * String leaves may hold placeholders; a leaf that is exactly `{{alerts}}` becomes the alerts
 * array. Placeholders are checked when the config loads, not when an alert fires.
 */
import type { Notification } from '../../model/notification.js';

const PLACEHOLDER_RE = /\{\{\s*([a-zA-Z_.0-9]+)\s*\}\}/g;
const SIMPLE = new Set([
  'status',
  'receiver',
  'groupKey',
  'externalURL',
  'idempotencyKey',
  'reason',
  'summary',
  'alerts.count',
  'firing.count',
  'resolved.count',
]);
const MAPS = ['groupLabels.', 'commonLabels.', 'commonAnnotations.'];

export const BODY_TEMPLATE_PLACEHOLDERS = `${[...SIMPLE].map((name) => `{{${name}}}`).join(', ')}, {{groupLabels.NAME}}, {{commonLabels.NAME}}, {{commonAnnotations.NAME}}, {{alerts}}`;

function known(name: string): boolean {
  return name === 'alerts' || SIMPLE.has(name) || MAPS.some((prefix) => name.startsWith(prefix));
}

/** Unknown placeholders anywhere in the template, for the config error. */
export function unknownTemplatePlaceholders(template: unknown): string[] {
  if (typeof template === 'string')
    return [...template.matchAll(PLACEHOLDER_RE)].map((match) => match[1]!).filter((name) => !known(name));
  if (Array.isArray(template)) return template.flatMap(unknownTemplatePlaceholders);
  if (template && typeof template === 'object')
    return Object.values(template).flatMap(unknownTemplatePlaceholders);
  return [];
}

function value(name: string, notification: Notification): string {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing').length;
  switch (name) {
    case 'status':
    case 'receiver':
    case 'groupKey':
    case 'externalURL':
    case 'idempotencyKey':
    case 'reason':
      return String(notification[name]);
    case 'summary':
      return notification.alerts
        .map((alert) => alert.annotations.summary ?? alert.labels.alertname ?? '')
        .join('; ');
    case 'alerts.count':
      return String(notification.alerts.length);
    case 'firing.count':
      return String(firing);
    case 'resolved.count':
      return String(notification.alerts.length - firing);
  }
  const dot = name.indexOf('.');
  const map = name.slice(0, dot) as 'groupLabels' | 'commonLabels' | 'commonAnnotations';
  return notification[map][name.slice(dot + 1)] ?? '';
}

export function renderBodyTemplate(template: unknown, notification: Notification): unknown {
  if (typeof template === 'string') {
    if (/^\{\{\s*alerts\s*\}\}$/.test(template)) return notification.alerts;
    return template.replace(PLACEHOLDER_RE, (_, name: string) => value(name, notification));
  }
  if (Array.isArray(template)) return template.map((item) => renderBodyTemplate(item, notification));
  if (template && typeof template === 'object')
    return Object.fromEntries(
      Object.entries(template).map(([key, item]) => [key, renderBodyTemplate(item, notification)]),
    );
  return template;
}
