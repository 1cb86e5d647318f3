/**
 * Heartbeats: the state machine on exact times, cron schedules across time zones, and a daemon
 * that receives pings from the shipped cron wrapper (curl), judges them, and keeps them (and the
 * judgement) across a restart without turning every heartbeat late at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HeartbeatSettings } from '../../src/probers/heartbeat/config.js';
import { nextCronTime, parseCronSchedule } from '../../src/probers/heartbeat/cron-next.js';
import { evaluateHeartbeat } from '../../src/probers/heartbeat/evaluate.js';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const settings: HeartbeatSettings = { periodMs: HOUR, graceMs: 10 * MIN, token: 'x'.repeat(16) };

describe('heartbeat state', () => {
  it('goes new → up → late → down on the period and grace, as healthchecks.io does', () => {
    const since = T0 - HOUR;
    expect(evaluateHeartbeat(settings, undefined, T0, since).state).toBe('new');
    const pinged = { lastSuccess: T0 };
    expect(evaluateHeartbeat(settings, pinged, T0 + 59 * MIN, since)).toMatchObject({
      state: 'up',
      dueAt: T0 + HOUR,
    });
    expect(evaluateHeartbeat(settings, pinged, T0 + HOUR, since).state).toBe('late');
    expect(evaluateHeartbeat(settings, pinged, T0 + HOUR + 9 * MIN, since).state).toBe('late');
    const down = evaluateHeartbeat(settings, pinged, T0 + HOUR + 10 * MIN, since);
    expect(down.state).toBe('down');
    expect(down.reason).toEqual({
      code: 'heartbeat_missed',
      message: 'no ping since 2026-12-01T00:00:00Z: due at 2026-12-01T01:00:00Z, 10m grace',
    });
  });

  it('a reported failure is down at once; a started run is up until grace runs out', () => {
    const failed = evaluateHeartbeat(
      settings,
      { lastSuccess: T0, lastFail: T0 + MIN, exitStatus: 3, message: 'disk full' },
      T0 + 2 * MIN,
      0,
    );
    expect(failed).toMatchObject({ state: 'down', reason: { code: 'job_failed' } });
    expect(failed.reason!.message).toBe(
      'the job reported failure with exit status 3 at 2026-12-01T00:01:00Z: disk full',
    );
    const running = { lastSuccess: T0, lastStart: T0 + 55 * MIN };
    // Past due, but the job has started: running, not late.
    expect(evaluateHeartbeat(settings, running, T0 + 62 * MIN, 0)).toMatchObject({
      state: 'up',
      running: true,
    });
    expect(evaluateHeartbeat(settings, running, T0 + 65 * MIN, 0).reason?.message).toBe(
      'the job started at 2026-12-01T00:55:00Z and has not finished within the 10m grace',
    );
  });

  it('after a restart, a heartbeat that fell due while nobody listened gets its grace from the restart', () => {
    const restartedAt = T0 + 3 * HOUR;
    const record = { lastSuccess: T0, state: 'up' as const };
    expect(evaluateHeartbeat(settings, record, restartedAt + MIN, restartedAt).state).toBe('up');
    const down = evaluateHeartbeat(settings, record, restartedAt + 10 * MIN, restartedAt);
    expect(down.state).toBe('down');
    expect(down.reason!.message).toContain('(counted from prismwatch’s restart)');
    // The down it noted since the restart is its own judgement, not one from before: the next
    // run keeps the same deadline and explanation.
    const noted = { ...record, state: 'down' as const, stateSince: restartedAt + 10 * MIN };
    expect(evaluateHeartbeat(settings, noted, restartedAt + 11 * MIN, restartedAt)).toMatchObject({
      state: 'down',
      deadlineAt: down.deadlineAt,
      reason: { message: down.reason!.message },
    });
    // Known late before the restart: no fresh grace.
    expect(
      evaluateHeartbeat(
        settings,
        { ...record, state: 'late', stateSince: restartedAt - MIN },
        restartedAt + MIN,
        restartedAt,
      ).state,
    ).toBe('down');
  });
});

describe('cron schedules', () => {
  const next = (expression: string, zone: string, after: string) => {
    const schedule = parseCronSchedule(expression, zone);
    if (typeof schedule === 'string') throw new Error(schedule);
    const at = nextCronTime(schedule, Date.parse(after));
    return at === undefined ? undefined : new Date(at).toISOString();
  };

  it('finds the next firing in the schedule’s time zone, across daylight saving time', () => {
    expect(next('30 2 * * *', 'Europe/Berlin', '2026-12-01T12:00:00Z')).toBe('2026-12-02T01:30:00.000Z');
    // Summer time: 02:30 Berlin is 00:30 UTC.
    expect(next('30 2 * * *', 'Europe/Berlin', '2026-07-01T12:00:00Z')).toBe('2026-07-02T00:30:00.000Z');
    expect(next('0 9 * * mon-fri', 'UTC', '2026-12-04T10:00:00Z')).toBe('2026-12-07T09:00:00.000Z');
    expect(next('0 0 29 2 *', 'UTC', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    // Both day fields restricted: either matches (Vixie cron).
    expect(next('0 0 13 * 5', 'UTC', '2026-12-01T00:00:00Z')).toBe('2026-12-04T00:00:00.000Z');
  });

  it('refuses what it cannot schedule', () => {
    expect(parseCronSchedule('* * * *', 'UTC')).toMatch(/five cron fields/);
    expect(parseCronSchedule('0 0 30 2 *', 'UTC')).toMatch(/valid cron expression/);
    expect(parseCronSchedule('0 3 L * *', 'UTC')).toMatch(/L and # are not supported/);
    expect(parseCronSchedule('0 3 * * *', 'Mars/Olympus')).toMatch(/IANA time zone/);
  });
});

const TOKEN = 'f3b0c44298fc1c149afbf4c8996fb924';

function heartbeatYaml(extra = ''): string {
  return `probes:
  - { name: backup, kind: heartbeat, period: 2s, grace: 2s, token: ${TOKEN}, interval: 200ms${extra} }
`;
}

/** The shipped wrapper around a command, as cron would run it. */
function wrap(url: string, ...command: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['probes/examples/heartbeat-wrap.sh', url, ...command], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

describe('heartbeat pings through a daemon', () => {
  it('docs/kinds.md shows the shipped wrapper as it is', () => {
    expect(readFileSync('docs/kinds.md', 'utf8')).toContain(
      readFileSync('probes/examples/heartbeat-wrap.sh', 'utf8'),
    );
  });

  it('is installed in CI (curl, for the shipped wrapper)', () => {
    if (process.env.CI === 'true')
      expect(spawnSync('curl', ['--version']).status, 'curl is missing: .ci/run must install it').toBe(0);
  });

  it('judges the cron wrapper’s pings: success with its run time, failure with its exit status and output, then silence', async () => {
    const dir = configDir();
    dir.write('hb.yaml', heartbeatYaml());
    const { daemon, logs } = await startDaemon(dir.path);
    const state = () => daemon.results.get('backup')?.last;
    await eventually(() => state()?.facts.heartbeat?.state === 'new');
    // The API and the metric say the same state (the API said "up" for a new or late job).
    const apiState = async () =>
      (
        (await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as Array<{
          name: string;
          state: string;
        }>
      ).find((probe) => probe.name === 'backup')?.state;
    expect(await apiState()).toBe('new');
    expect(await (await fetch(`${daemon.baseUrl}/metrics`)).text()).toContain(
      'prismwatch_heartbeat_state{probe="backup",kind="heartbeat",state="new"} 1',
    );

    const url = `${daemon.baseUrl}/ping/${TOKEN}`;
    expect(await wrap(url, 'sh', '-c', 'sleep 0.3; echo backed up')).toBe(0);
    const up = await eventually(() => (state()?.facts.heartbeat?.state === 'up' ? state() : undefined));
    expect(up!.ok).toBe(true);
    expect(up!.facts.heartbeat!.lastRunMs).toBeGreaterThanOrEqual(300);

    expect(await wrap(url, 'sh', '-c', 'echo "disk full" >&2; exit 3')).toBe(3);
    const failed = await eventually(() => (state()?.failure?.code === 'job_failed' ? state() : undefined));
    expect(failed!.failure!.message).toMatch(
      /^the job reported failure with exit status 3 at .*: disk full$/,
    );

    // Then nothing: past period and grace, the heartbeat is down for want of a ping.
    expect(await wrap(url, 'true')).toBe(0);
    const missed = await eventually(
      () => (state()?.failure?.code === 'heartbeat_missed' ? state() : undefined),
      20_000,
    );
    expect(missed!.facts.heartbeat!.late).toBe(true);
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(metrics).toContain('prismwatch_heartbeat_state{probe="backup",kind="heartbeat",state="down"} 1');
    expect(await apiState()).toBe('down');
    // The token is the URL's only guard: it never reaches a log line.
    expect(JSON.stringify(logs.lines)).not.toContain(TOKEN);
  }, 240_000);

  it('takes the token in a Bearer header by name, and answers 404 or 401 otherwise', async () => {
    const dir = configDir();
    dir.write('hb.yaml', heartbeatYaml());
    const { daemon } = await startDaemon(dir.path);
    const status = async (path: string, init?: RequestInit) =>
      (await fetch(`${daemon.baseUrl}${path}`, init)).status;
    expect(await status(`/ping/${TOKEN.replace('f', 'e')}`)).toBe(404);
    expect(await status('/ping/backup')).toBe(401);
    expect(await status('/ping/backup', { headers: { authorization: `Bearer ${TOKEN}` } })).toBe(200);
    expect(await status(`/ping/${TOKEN}/start`, { method: 'POST' })).toBe(200);
    expect(await status(`/ping/${TOKEN}/999`)).toBe(404);
    expect(await status(`/ping/${TOKEN}`, { method: 'DELETE' })).toBe(405);
    await eventually(() => daemon.results.get('backup')?.last?.facts.heartbeat?.running === true);
  });

  it('keeps pings and states across a restart, and gives grace from the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-hb-'));
    const dir = configDir();
    // The daemons' clock is real time plus an offset the test moves: prismwatch "is down" for
    // 130 s without the test waiting for it, and a 120 s period cannot fall due while the first
    // daemon runs, however busy the machine (a 30 s one once did, under stress-ng and the suite).
    dir.write('hb.yaml', heartbeatYaml().replace('period: 2s, grace: 2s', 'period: 120s, grace: 60s'));
    let offset = 0;
    const now = () => Date.now() + offset;
    const first = await startDaemon(dir.path, { dataDir, now });
    expect((await fetch(`${first.daemon.baseUrl}/ping/${TOKEN}`)).status).toBe(200);
    await eventually(() => first.daemon.results.get('backup')?.last?.facts.heartbeat?.state === 'up');
    await first.daemon.stop();
    // Down for longer than the period: the ping fell due while nobody listened.
    offset = 130_000;
    const second = await startDaemon(dir.path, { dataDir, now });
    const last = () => second.daemon.results.get('backup')?.last;
    const restarted = await eventually(() => last()?.facts.heartbeat);
    expect(restarted.lastPingAt).toBeDefined();
    // Past due, but not late: prismwatch was not there to hear the ping.
    expect(restarted.state).toBe('up');
    // `prismwatch probe` reads the same store while the daemon runs.
    const read = await runCli([
      'probe',
      '--kind',
      'heartbeat',
      '--period',
      '120s',
      '--grace',
      '60s',
      '--data-dir',
      dataDir,
      '--json',
      'backup',
    ]);
    expect(read.stderr).toBe('');
    expect(JSON.parse(read.stdout).facts.heartbeat.lastPingAt).toBe(restarted.lastPingAt);
    // No ping after the restart: down once the grace from the restart has passed.
    offset = 130_000 + 61_000;
    const down = await eventually(() => (last()?.failure ? last() : undefined), 20_000);
    expect(down!.failure!.message).toContain('(counted from prismwatch’s restart)');
  }, 240_000);
});
