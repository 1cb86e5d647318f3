/**
 * Alert text names its subject and links to entries of the status page that exist: an SLO alert
 * read "ErrorBudgetBurn on  (critical)" with a 404 for details and an anchor never rendered.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, fingerprintOf } from '../../src/model/alert.js';
import type { NotifiedAlert } from '../../src/model/notification.js';
import { alertLinks } from '../../src/notify/dispatch/links.js';
import { alertLines, whyLine } from '../../src/notify/render/text-summary.js';

const sloLabels = { alertname: 'ErrorBudgetBurn', severity: 'critical', slo: 'checkout' };
const sloAlert: Alert = {
  fingerprint: fingerprintOf(sloLabels),
  rule: 'ErrorBudgetBurn',
  probe: 'checkout',
  labels: sloLabels,
  annotations: { summary: 'checkout is burning its error budget 20.0× too fast (page)' },
  state: 'firing',
  value: 20,
  activeAt: 0,
  firedAt: 0,
};

function notified(alert: Alert, externalURL: string): NotifiedAlert {
  return {
    status: alert.state === 'firing' ? 'firing' : 'resolved',
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: new Date(0).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint: alert.fingerprint,
    value: alert.value,
    ...alertLinks(externalURL, alert),
  };
}

describe('alert links and subjects', () => {
  it('an SLO alert is "on" its SLO and links to the SLO row, with no probe link', () => {
    const lines = alertLines(notified(sloAlert, 'https://watch.example/'));
    expect(lines[0]).toBe('[FIRING] ErrorBudgetBurn on checkout (critical)');
    expect(lines).toContain(`  details: https://watch.example/#alert-${sloAlert.fingerprint}`);
    expect(lines.some((line) => line.startsWith('  probe:'))).toBe(false);
    expect(whyLine(notified(sloAlert, 'https://watch.example'))).toMatch(/^ErrorBudgetBurn on checkout: /);
    expect(alertLinks('https://watch.example', { ...sloAlert, state: 'resolved' })).toEqual({
      generatorURL: 'https://watch.example/#slo-checkout',
    });
  });

  it('a probe alert links to its row while firing and to its probe once resolved', () => {
    const labels = { alertname: 'ProbeDown', severity: 'critical', probe: 'api v2' };
    const alert: Alert = { ...sloAlert, labels, probe: 'api v2', fingerprint: fingerprintOf(labels) };
    expect(alertLinks('http://w', alert)).toEqual({
      generatorURL: `http://w/#alert-${alert.fingerprint}`,
      probeURL: 'http://w/#probe-api%20v2',
    });
    expect(alertLinks('http://w', { ...alert, state: 'resolved' }).generatorURL).toBe(
      'http://w/#probe-api%20v2',
    );
  });
});
