/**
 * Every shipped rule links to a runbook shipped in the repository, and the daemon that sent the
 * link serves it: /runbooks/<Alert> is plain text from docs/runbooks/<Alert>.md. Names are alert
 * names only: nothing else on the disk can be read through the route.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { SLO_ALERT } from '../../src/slo/engine.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';

describe('runbooks', () => {
  it('exist for every shipped rule and the SLO alert, and every shipped rule links to its own', () => {
    const config = loadConfig(['alerts', 'probes'], { PRISMWATCH_URL: 'http://127.0.0.1:9797' });
    for (const rule of config.rules) {
      expect(rule.annotations.runbook_url, rule.alert).toBe(`/runbooks/${rule.alert}`);
      expect(existsSync(`docs/runbooks/${rule.alert}.md`), rule.alert).toBe(true);
    }
    expect(existsSync(`docs/runbooks/${SLO_ALERT}.md`)).toBe(true);
  });

  it('are served by the daemon as plain text, and nothing else is', async () => {
    const dir = configDir();
    dir.write('p.yaml', 'probes: []\n');
    const { daemon } = await startDaemon(dir.path);
    const found = await fetch(`${daemon.baseUrl}/runbooks/HighErrorRate`);
    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await found.text()).toMatch(/^# HighErrorRate\n/);
    for (const path of [
      '/runbooks/Nope',
      '/runbooks/..%2Fpackage',
      '/runbooks/README',
      '/runbooks/Probe.Down',
    ])
      expect((await fetch(`${daemon.baseUrl}${path}`)).status, path).toBe(404);
  });
});
