/**
 * A heartbeat's state at a moment, from its pings, as healthchecks.io defines it: `new` until the
 * first ping; `up` while the job is on time (or running); `late` once it is past due but within
 * grace; `down` past grace, when a started run has not finished within grace, or when the job
 * reported failure (/fail or a non-zero exit status). Pure: the inbox keeps the pings, the prober
 * turns this into a result.
 */
import { formatDuration } from '../../util/duration.js';
import type { HeartbeatSettings } from './config.js';
import { nextCronTime } from './cron-next.js';

export type HeartbeatState = 'new' | 'up' | 'late' | 'down';

/** What the inbox keeps of one heartbeat, persisted as JSON. */
export interface PingRecord {
  /** Epoch ms of the last success ping, /start and /fail (or non-zero exit status). */
  readonly lastSuccess?: number;
  readonly lastStart?: number;
  readonly lastFail?: number;
  readonly exitStatus?: number;
  /** The first bytes of the last ping's body (a job's last lines of output). */
  readonly message?: string;
  /** Run time of the last run that had a /start before its success, in ms. */
  readonly lastRunMs?: number;
  /** State as last evaluated, and since when: a restart reads it so a known outage stays one. */
  readonly state?: HeartbeatState;
  readonly stateSince?: number;
}

export interface HeartbeatStatus {
  readonly state: HeartbeatState;
  /** When the next success ping is due; undefined while new or when the schedule never fires. */
  readonly dueAt?: number;
  /** Due plus grace (or from the restart: see below): past it, the heartbeat is down. */
  readonly deadlineAt?: number;
  readonly running: boolean;
  /** Why it is down, in words. */
  readonly reason?: { code: 'heartbeat_missed' | 'job_failed'; message: string };
}

function nextDue(settings: HeartbeatSettings, after: number): number | undefined {
  if (settings.periodMs !== undefined) return after + settings.periodMs;
  return settings.cron ? nextCronTime(settings.cron, after) : undefined;
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `receivingSince` is when this prismwatch started receiving pings. A heartbeat that fell due
 * before then fell due while nobody listened: it is not called late, and gets its grace from the
 * restart rather than turning down at once — unless it was already late or down before.
 */
export function evaluateHeartbeat(
  settings: HeartbeatSettings,
  record: PingRecord | undefined,
  now: number,
  receivingSince: number,
): HeartbeatStatus {
  const grace = settings.graceMs;
  const lastFail = record?.lastFail ?? Number.NEGATIVE_INFINITY;
  const lastSuccess = record?.lastSuccess ?? Number.NEGATIVE_INFINITY;
  const lastStart = record?.lastStart ?? Number.NEGATIVE_INFINITY;
  if (
    !record ||
    (record.lastSuccess === undefined && record.lastFail === undefined && record.lastStart === undefined)
  )
    return { state: 'new', running: false };

  if (lastFail > lastSuccess && lastFail >= lastStart) {
    const status = record.exitStatus !== undefined ? ` with exit status ${record.exitStatus}` : '';
    const output = record.message ? `: ${record.message}` : '';
    return {
      state: 'down',
      running: false,
      reason: {
        code: 'job_failed',
        message: `the job reported failure${status} at ${iso(lastFail)}${output}`,
      },
    };
  }
  const running = lastStart > lastSuccess && lastStart > lastFail;
  if (running && now >= lastStart + grace) {
    return {
      state: 'down',
      running: true,
      reason: {
        code: 'heartbeat_missed',
        message: `the job started at ${iso(lastStart)} and has not finished within the ${formatDuration(grace)} grace`,
      },
    };
  }
  if (record.lastSuccess === undefined) return { state: running ? 'up' : 'new', running };

  const dueAt = nextDue(settings, lastSuccess);
  if (dueAt === undefined) return { state: 'up', running };
  // Late or down as judged *before* the restart. A state this prismwatch noted since (the down it
  // turned after the restart's grace) must not count: the next run would then drop the grace and
  // the "(counted from prismwatch's restart)" explanation (a test saw exactly that under load).
  const knownLate =
    (record.state === 'late' || record.state === 'down') &&
    (record.stateSince === undefined || record.stateSince < receivingSince);
  const missedWhileAway = dueAt < receivingSince && !knownLate;
  const deadlineAt = missedWhileAway ? Math.max(dueAt, receivingSince) + grace : dueAt + grace;
  if (now >= deadlineAt) {
    return {
      state: 'down',
      dueAt,
      deadlineAt,
      running,
      reason: {
        code: 'heartbeat_missed',
        message: `no ping since ${iso(lastSuccess)}: due at ${iso(dueAt)}, ${formatDuration(grace)} grace${missedWhileAway ? ' (counted from prismwatch’s restart)' : ''}`,
      },
    };
  }
  const late = now >= dueAt && !missedWhileAway && !running;
  return { state: late ? 'late' : 'up', dueAt, deadlineAt, running };
}
