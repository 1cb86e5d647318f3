/**
 * What is muted looks muted: a firing alert under a silence is listed as muted on the status page
 * and in the API (with what mutes it), is not counted in the headline, and the log says when its
 * muting began. Before, the page read "2 critical alerts firing" for one page and one silenced.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';

describe('muted alerts', () => {
  it('are marked on the page and the API, left out of the headline count, and logged', async () => {
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:
  - { name: paging, kind: tcp, target: "127.0.0.1:1", interval: 200ms, timeout: 150ms }
  - { name: quiet, kind: tcp, target: "127.0.0.1:1", interval: 200ms, timeout: 150ms }
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0, annotations: { summary: '{{probe}} is down' } }
silences:
  - { matchers: ['probe="quiet"'], ends_at: "2999-01-01T00:00:00Z", created_by: ops, comment: being rebuilt }
`,
    );
    const { daemon, logs } = await startDaemon(dir.path, { evaluationIntervalMs: 100 });
    type ApiAlert = {
      labels: Record<string, string>;
      status: { state: string; mutedBy?: { by: string; id: string } };
    };
    const firing = async () =>
      ((await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as ApiAlert[]).filter(
        (alert) => alert.status.state === 'firing' && alert.labels.alertname === 'ProbeDown',
      );
    await eventually(async () => (await firing()).length === 2);
    const byProbe = Object.fromEntries((await firing()).map((alert) => [alert.labels.probe, alert.status]));
    expect(byProbe.quiet!.mutedBy).toMatchObject({ by: 'silence' });
    expect(byProbe.paging!.mutedBy).toBeUndefined();

    const page = await (await fetch(`${daemon.baseUrl}/`)).text();
    expect(page).toContain('<h1>1 critical alert firing</h1>');
    expect(page).toContain('<span>1 critical</span>');
    expect(page).toContain('<span>1 muted</span>');
    expect(page).toMatch(
      /<tr id="alert-[0-9a-f]{16}" class="muted"><td><span class="sev muted"[^>]*>MUTED<\/span> <span class="muted">critical, silenced /,
    );
    await eventually(() =>
      logs.lines.some(
        (line) => line.msg === 'Alert muted: it notifies nobody while this holds' && line.subject === 'quiet',
      ),
    );
    expect(
      logs.lines.some((line) => String(line.msg).startsWith('Alert muted') && line.subject === 'paging'),
    ).toBe(false);
  });
});
