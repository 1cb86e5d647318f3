/** Silences through the HTTP API and the CLI, persisted across a restart; writes need the token. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { tempDataDir } from '../helpers/notifier.js';

const routing = `
route:
  receiver: log
receivers:
  - name: log
    log_configs: [{}]
silences:
  - matchers: ['probe="legacy"']
    ends_at: "2999-01-01T00:00:00Z"
    created_by: ops
    comment: decommissioned next month
`;

describe('silences API and CLI', () => {
  it('creates with a token, lists, expires, refuses config silences, and keeps API silences across a restart', async () => {
    const dir = configDir();
    dir.write('routing.yaml', routing);
    const dataDir = tempDataDir();
    const first = await startDaemon(dir.path, { apiToken: 'api-t0ken', dataDir });
    const url = `${first.daemon.baseUrl}/api/v1/silences`;
    const body = JSON.stringify({
      matchers: [{ name: 'severity', value: 'warning', isRegex: false, isEqual: true }, 'probe=~"api.*"'],
      duration: '2h',
      createdBy: 'alice',
      comment: 'deploy window',
    });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(url, { method: 'POST', body, headers })).status).toBe(401);
    const created = await fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers, authorization: 'Bearer api-t0ken' },
    });
    expect(created.status).toBe(201);
    const { silenceID } = (await created.json()) as { silenceID: string };
    const bad = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ matchers: ['probe=~".*"'], duration: '1h', createdBy: 'a', comment: 'b' }),
      headers: { ...headers, authorization: 'Bearer api-t0ken' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/empty string/);

    const listed = (await (await fetch(url)).json()) as { silences: Array<Record<string, unknown>> };
    expect(
      listed.silences.map((silence) => [
        silence.origin,
        silence.matchers,
        (silence.status as { state: string }).state,
      ]),
    ).toEqual([
      ['config', ['probe="legacy"'], 'active'],
      ['api', ['severity="warning"', 'probe=~"api.*"'], 'active'],
    ]);

    const cli = await runCli(['silences', 'list', '--url', first.daemon.baseUrl]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^ID\s+STATE\s+MATCHERS/);
    expect(cli.stdout).toContain('severity="warning",probe=~"api.*"');

    const configId = listed.silences[0]!.id as string;
    const refused = await fetch(`${url}/${configId}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer api-t0ken' },
    });
    expect(refused.status).toBe(409);

    const added = await runCli(
      [
        'silences',
        'add',
        '--url',
        first.daemon.baseUrl,
        '-a',
        'bob',
        '--comment',
        'testing',
        '-d',
        '30m',
        'alertname="ProbeDown"',
      ],
      { PRISMWATCH_API_TOKEN: 'api-t0ken' },
    );
    expect(added.code, added.stderr).toBe(0);
    const addedId = added.stdout.trim();
    const expired = await runCli(['silences', 'expire', '--url', first.daemon.baseUrl, addedId], {
      PRISMWATCH_API_TOKEN: 'api-t0ken',
    });
    expect(expired.stdout).toBe(`${addedId} expired\n`);
    const noToken = await runCli(['silences', 'expire', '--url', first.daemon.baseUrl, silenceID]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('HTTP 401');
    await first.daemon.stop();

    const second = await startDaemon(dir.path, { apiToken: 'api-t0ken', dataDir });
    const after = (await (await fetch(`${second.daemon.baseUrl}/api/v1/silences`)).json()) as {
      silences: Array<{ id: string; status: { state: string } }>;
    };
    expect(after.silences.map((silence) => [silence.id, silence.status.state])).toEqual([
      [configId, 'active'],
      [silenceID, 'active'],
      [addedId, 'expired'],
    ]);
  });
});
