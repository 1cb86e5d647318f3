/**
 * `kind: heartbeat`: a push monitor for jobs that run on their own (cron jobs, backups, queue
 * workers). The job pings prismwatch (inbox.ts); each run of this probe judges the pings against
 * the schedule (evaluate.ts) and fails when the job is past due plus grace, did not finish within
 * grace of starting, or reported failure. The run itself touches no network.
 */
import { randomBytes } from 'node:crypto';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { formatDuration } from '../../util/duration.js';
import { defineProber } from '../definition.js';
import {
  type HeartbeatSettings,
  heartbeatSettingsShape,
  toHeartbeatSettings,
  validateHeartbeatSettings,
} from './config.js';
import { evaluateHeartbeat } from './evaluate.js';
import { heartbeatFacts } from './facts.js';
import { HeartbeatInbox } from './inbox.js';

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** A heartbeat's job did not ping within its period (or schedule) plus grace, or did not finish within grace of /start. */
    heartbeat_missed: true;
    /** A heartbeat's job reported failure: /fail, or a non-zero exit status. */
    job_failed: true;
  }
}

const NO_INBOX =
  'no pings here: heartbeats are received by a running prismwatch (`prismwatch probe --kind heartbeat --data-dir DIR NAME` reads its store)';

async function probeHeartbeat(ctx: ProbeContext, spec: ProbeSpec<HeartbeatSettings>): Promise<ProbeResult> {
  const now = ctx.now();
  const inbox = ctx.inbox instanceof HeartbeatInbox ? ctx.inbox : undefined;
  if (!inbox) {
    return {
      ok: false,
      startedAt: now,
      durationMs: 0,
      phases: {},
      failure: { code: 'heartbeat_missed', message: NO_INBOX },
      facts: {},
    };
  }
  const record = inbox.record(spec.name);
  const status = evaluateHeartbeat(spec.settings, record, now, inbox.receivingSince);
  inbox.noteState(spec.name, status.state, now);
  return {
    ok: status.state !== 'down',
    startedAt: now,
    durationMs: ctx.now() - now,
    phases: {},
    ...(status.reason ? { failure: status.reason } : {}),
    facts: {
      heartbeat: {
        state: status.state,
        late: status.state === 'late' || status.reason?.code === 'heartbeat_missed',
        running: status.running,
        lastPingAt: record?.lastSuccess,
        lastStartAt: record?.lastStart,
        lastFailAt: record?.lastFail,
        dueAt: status.dueAt,
        deadlineAt: status.deadlineAt,
        lastRunMs: record?.lastRunMs,
        exitStatus: record?.exitStatus,
      },
    },
  };
}

function describeSchedule(settings: HeartbeatSettings): string {
  const expected = settings.cron
    ? `cron "${settings.cron.expression}" ${settings.cron.timezone}`
    : `every ${formatDuration(settings.periodMs ?? 0)}`;
  return `${expected}, grace ${formatDuration(settings.graceMs)}`;
}

export const heartbeatProber = defineProber<HeartbeatSettings>({
  kind: 'heartbeat',
  summary: 'push monitor: a job pings /ping/<token> (start, success, fail); late or missing pings fail',
  settingsShape: heartbeatSettingsShape,
  toSettings: toHeartbeatSettings,
  validate: validateHeartbeatSettings,
  // Never the token: the target names when the job is expected.
  describeTarget: describeSchedule,
  probe: probeHeartbeat,
  // Its runs read the inbox of pings the daemon received.
  thread: 'main',
  facts: [heartbeatFacts],
  failureCodes: ['heartbeat_missed', 'job_failed'],
  inbox: {
    prefix: '/ping/',
    create: ({ store, now, receiving }) => new HeartbeatInbox(store, now, receiving),
  },
  cli: {
    target: 'heartbeat probe NAME, read from the store of a prismwatch (--data-dir)',
    options: [
      { flags: '--period <duration>', description: 'heartbeat: expected every period after the last ping' },
      { flags: '--cron <expression>', description: 'heartbeat: expected at these cron times' },
      { flags: '--timezone <zone>', description: 'heartbeat: the cron time zone (default UTC)' },
      { flags: '--grace <duration>', description: 'heartbeat: grace past due before down (default 1h)' },
      {
        flags: '--data-dir <path>',
        description: 'heartbeat: the data directory of the prismwatch that receives the pings',
      },
    ],
    // Reading needs no token: this run receives no pings, so any well-formed one will do.
    keys: (_target, options) => ({
      token: randomBytes(16).toString('hex'),
      ...(options.period ? { period: options.period } : {}),
      ...(options.cron ? { cron: options.cron } : {}),
      ...(options.timezone ? { timezone: options.timezone } : {}),
      ...(options.grace ? { grace: options.grace } : {}),
    }),
  },
  dashboard: {
    phases: false,
    panels: [
      {
        title: 'Heartbeat: state and last run',
        type: 'timeseries',
        queries: [
          { expr: 'max by (state) (prismwatch_heartbeat_state{probe="$probe"}) == 1', legend: '{{state}}' },
          { expr: 'prismwatch_heartbeat_last_run_duration_seconds{probe="$probe"}', legend: 'last run (s)' },
          {
            expr: 'time() - prismwatch_heartbeat_last_ping_timestamp_seconds{probe="$probe"}',
            legend: 'since last ping (s)',
          },
        ],
        description:
          'State (new, up, late, down) as 1 while it holds; the job’s run time and the time since its last success ping.',
        emptyBecause: 'No heartbeat: not a heartbeat probe',
      },
    ],
  },
  example: `- name: nightly-backup
  kind: heartbeat
  token: \${BACKUP_PING_TOKEN}
  cron: "0 3 * * *"
  grace: 30m`,
});
