/**
 * Where a notification's links point: entries of the status page that exist. generatorURL used
 * to be the probe's raw results API, and for an SLO alert (no probe) a 404; the probe link of an
 * SLO alert named an anchor that was never rendered.
 *
 * - firing: the alert's own row in the page's alert table (`#alert-<fingerprint>`);
 * - resolved (its row is gone): its subject's entry, the probe (`#probe-…`) or the SLO (`#slo-…`).
 */
import type { Alert } from '../../model/alert.js';

export interface AlertLinks {
  readonly generatorURL: string;
  /** The probe's row, for alerts about a probe. */
  readonly probeURL?: string;
}

/**
 * Annotations as sent: a runbook_url written as a path ("/runbooks/HighErrorRate", as the shipped
 * rules do) is made absolute against the external URL, so the link works from a mail or a pager.
 */
export function sentAnnotations(
  annotations: Readonly<Record<string, string>>,
  externalURL: string,
): Readonly<Record<string, string>> {
  const runbook = annotations.runbook_url;
  if (runbook === undefined || !runbook.startsWith('/')) return annotations;
  return { ...annotations, runbook_url: `${externalURL.replace(/\/+$/, '')}${runbook}` };
}

export function alertLinks(externalURL: string, alert: Alert): AlertLinks {
  const base = externalURL.replace(/\/+$/, '');
  const slo = alert.labels.probe === undefined ? alert.labels.slo : undefined;
  const subject =
    slo !== undefined
      ? `${base}/#slo-${encodeURIComponent(slo)}`
      : `${base}/#probe-${encodeURIComponent(alert.probe)}`;
  return {
    generatorURL: alert.state === 'firing' ? `${base}/#alert-${alert.fingerprint}` : subject,
    ...(slo === undefined ? { probeURL: subject } : {}),
  };
}
