/**
 * The notification store as delivery and the dispatcher see it: one that never refuses a write.
 *
 * When the disk refuses one (full, read-only, I/O error), what could not be written is kept here
 * in memory and delivery goes on from it: log entries (so the dispatcher does not decide the same
 * notification twice), notifications queued meanwhile, and the outcome of every attempt (so a
 * delivered notification is never sent again, and a failed one backs off as usual). Writing is
 * retried with backoff; when the disk takes writes again, all of it goes to disk in one
 * transaction and the journal empties. Before this, a delivery whose record could not be written
 * stayed at the head of its queue and was sent again at once, forever: one notification reached
 * its receiver 1,025 times when space returned.
 *
 * While degraded, order is kept: everything queued on disk is older than anything in the journal
 * (nothing is written to disk until the journal has been), so a group's disk rows go first.
 * What the journal holds is lost if the process dies before the disk recovers: the notifications
 * decided meanwhile are then decided again after the restart (sent at least once, not lost).
 */
import type { Logger } from 'pino';
import type { Notification } from '../../model/notification.js';
import type { JournalOutcome, JournalRow, NflogEntry, OutboxRow } from '../../state/notification-store.js';
import type { NotificationRepository } from '../../state/repositories.js';
import { backoffDelayMs } from './backoff.js';

/** Finished rows kept for the record past this are dropped (their notifications went out). */
const MAX_FINISHED_ROWS = 50_000;

const groupOf = (integration: string, groupKey: string) => `${integration}\u0000${groupKey}`;

export interface JournalStatus {
  /** Epoch ms of the first write that failed; undefined while writes go to disk. */
  readonly degradedSince?: number;
  readonly reason?: string;
  /** Records waiting in memory to be written. */
  readonly pending: number;
}

export class NotificationJournal {
  private readonly entries = new Map<string, { integration: string; groupKey: string; entry: NflogEntry }>();
  private rows: Array<JournalRow & { state: JournalRow['state'] }> = [];
  private readonly outcomes = new Map<number, JournalOutcome>();
  /** Journal ids of rows since written, to their disk ids: an attempt in flight reports under the old id. */
  private readonly renamed = new Map<number, number>();
  private nextId = -1;
  private degradedSince: number | undefined;
  private reason: string | undefined;
  private failedWrites = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: NotificationRepository,
    private readonly log: Logger,
    private readonly now: () => number,
    /** Called after the journal was written, so delivery looks at the outbox again. */
    private readonly onWritten: () => void = () => {},
  ) {}

  status(): JournalStatus {
    return {
      ...(this.degradedSince !== undefined ? { degradedSince: this.degradedSince, reason: this.reason } : {}),
      pending: this.entries.size + this.rows.length + this.outcomes.size,
    };
  }

  entry(integration: string, groupKey: string): NflogEntry | undefined {
    return this.entries.get(groupOf(integration, groupKey))?.entry ?? this.store.entry(integration, groupKey);
  }

  commit(integration: string, groupKey: string, entry: NflogEntry, notification?: Notification): void {
    if (this.degradedSince === undefined) {
      try {
        this.store.commit(integration, groupKey, entry, notification);
        return;
      } catch (error) {
        this.degrade(error);
      }
    }
    this.entries.set(groupOf(integration, groupKey), { integration, groupKey, entry });
    if (notification)
      this.rows.push({
        id: this.nextId--,
        integration,
        groupKey,
        notification,
        createdAt: entry.sentAt,
        attempts: 0,
        nextAttemptAt: entry.sentAt,
        state: 'queued',
      });
  }

  /** The oldest queued notification of every (integration, group), on disk or here. */
  heads(): OutboxRow[] {
    let disk: OutboxRow[] = [];
    try {
      const finished = [...this.outcomes]
        .filter(([, outcome]) => outcome.state !== 'retry')
        .map(([id]) => id);
      disk = this.store.heads(finished).map((row) => {
        const outcome = this.outcomes.get(row.id);
        return outcome?.state === 'retry'
          ? { ...row, attempts: row.attempts + outcome.attempts, nextAttemptAt: outcome.nextAttemptAt }
          : row;
      });
    } catch (error) {
      // Unreadable as well as unwritable: what is in memory still goes out.
      this.log.debug({ err: error }, 'Could not read the outbox; delivering from memory');
    }
    const taken = new Set(disk.map((row) => groupOf(row.integration, row.groupKey)));
    const heads = [...disk];
    for (const row of this.rows) {
      const group = groupOf(row.integration, row.groupKey);
      if (row.state !== 'queued' || taken.has(group)) continue;
      taken.add(group);
      heads.push(row);
    }
    return heads;
  }

  markDelivered(id: number, at: number): void {
    this.record(id, { state: 'delivered', at, attempts: 1 }, (diskId) =>
      this.store.markDelivered(diskId, at),
    );
  }

  markRetry(id: number, nextAttemptAt: number, error: string): void {
    this.record(id, { state: 'retry', nextAttemptAt, error, attempts: 1 }, (diskId) =>
      this.store.markRetry(diskId, nextAttemptAt, error),
    );
  }

  markFailed(id: number, at: number, error: string): void {
    this.record(id, { state: 'failed', at, error, attempts: 1 }, (diskId) =>
      this.store.markFailed(diskId, at, error),
    );
  }

  depth(): ReturnType<NotificationRepository['depth']> {
    const byIntegration = new Map<string, { queued: number; oldestCreatedAt: number }>();
    try {
      for (const row of this.store.depth()) byIntegration.set(row.integration, { ...row });
    } catch {
      // Counted from memory alone.
    }
    for (const row of this.rows) {
      if (row.state !== 'queued') continue;
      const seen = byIntegration.get(row.integration) ?? { queued: 0, oldestCreatedAt: row.createdAt };
      byIntegration.set(row.integration, {
        queued: seen.queued + 1,
        oldestCreatedAt: Math.min(seen.oldestCreatedAt, row.createdAt),
      });
    }
    return [...byIntegration].map(([integration, depth]) => ({ integration, ...depth }));
  }

  /** Tries to write the journal now (also on its own timer while degraded). Returns whether it is empty. */
  flush(): boolean {
    if (this.degradedSince === undefined) return true;
    clearTimeout(this.timer);
    try {
      const ids = this.store.writeJournal({
        entries: [...this.entries.values()],
        rows: this.rows,
        outcomes: this.outcomes,
      });
      for (const [journalId, diskId] of ids) this.renamed.set(journalId, diskId);
    } catch (error) {
      this.failedWrites++;
      this.reason = messageOf(error);
      this.scheduleFlush();
      return false;
    }
    const written = this.status().pending;
    this.entries.clear();
    this.rows = [];
    this.outcomes.clear();
    this.log.info(
      { records: written, degraded_for_ms: this.now() - this.degradedSince },
      'Notification state is written to disk again; nothing delivered meanwhile will be sent twice',
    );
    this.degradedSince = undefined;
    this.reason = undefined;
    this.failedWrites = 0;
    this.onWritten();
    return true;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.flush();
    clearTimeout(this.timer);
  }

  /** `write` gets the row's disk id: an attempt that outlived a flush reports its journal id. */
  private record(id: number, outcome: JournalOutcome, write: (diskId: number) => void): void {
    const diskId = this.renamed.get(id) ?? id;
    // One attempt was in flight per journal row at most: its report is the last use of the name.
    this.renamed.delete(id);
    if (diskId < 0) {
      this.recordInMemory(diskId, outcome);
      return;
    }
    if (this.degradedSince === undefined) {
      try {
        write(diskId);
        return;
      } catch (error) {
        this.degrade(error);
      }
    }
    const before = this.outcomes.get(diskId);
    this.outcomes.set(diskId, { ...outcome, attempts: (before?.attempts ?? 0) + 1 });
  }

  private recordInMemory(id: number, outcome: JournalOutcome): void {
    const index = this.rows.findIndex((candidate) => candidate.id === id);
    const row = this.rows[index];
    if (!row) return; // already written: renamed would have found it
    const attempts = row.attempts + 1;
    this.rows[index] =
      outcome.state === 'retry'
        ? { ...row, attempts, nextAttemptAt: outcome.nextAttemptAt, lastError: outcome.error }
        : {
            ...row,
            attempts,
            state: outcome.state,
            finishedAt: outcome.at,
            ...(outcome.state === 'failed' ? { lastError: outcome.error } : {}),
          };
    this.trimFinished();
  }

  /** Keeps memory bounded on a long outage: the oldest finished rows' records go first. */
  private trimFinished(): void {
    let excess = this.rows.filter((row) => row.state !== 'queued').length - MAX_FINISHED_ROWS;
    if (excess <= 0) return;
    this.log.warn(
      { dropped: excess },
      'The disk has refused writes for long: records of delivered notifications are dropped from memory (they were delivered)',
    );
    // Oldest first: rows are in the order they were queued.
    this.rows = this.rows.filter((row) => row.state === 'queued' || excess-- <= 0);
  }

  private degrade(error: unknown): void {
    if (this.degradedSince !== undefined) return;
    this.degradedSince = this.now();
    this.reason = messageOf(error);
    this.log.error(
      { err: error },
      'Cannot write notification state (disk full or failing): delivering from memory, each notification once; written back when the disk recovers',
    );
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    clearTimeout(this.timer);
    // The delivery backoff's schedule (500 ms, ×1.5 per try, at most a minute): a full disk is
    // checked often at first and once a minute on a long outage, never in a loop.
    this.timer = setTimeout(() => this.flush(), backoffDelayMs(this.failedWrites + 1));
    this.timer.unref?.();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
