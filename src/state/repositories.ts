/**
 * The store interface: every table prismwatch keeps, as typed repositories. Callers outside
 * state/ see these interfaces, never SQL or a database handle, so the shared store (PostgreSQL)
 * stands in for the SQLite one without touching them.
 *
 * Rules every implementation keeps, and callers rely on:
 * - `NotificationRepository.commit` writes the notification log entry and the outbox row in one
 *   transaction: a decision is never recorded without its notification, nor the reverse.
 * - `AlertRepository.save` replaces the stored alerts and the evaluation time atomically.
 * - A write either commits or throws; callers (state-keeper.ts, notify/delivery/journal.ts) count, log
 *   and keep the data in memory until a later write succeeds.
 * - Reads return plain objects; nothing returned stays attached to the database.
 * - Calls are synchronous. The SQLite store answers from the process; the shared store
 *   (state/shared/, PostgreSQL) answers from an in-memory SQLite copy it keeps in step and
 *   replays every committed transaction on the database behind it, in order (its job, not its
 *   callers').
 */
import type { Alert } from '../model/alert.js';
import type { Notification } from '../model/notification.js';
import type { SilenceSpec } from '../model/silence.js';
import type { KindStore } from '../probers/definition.js';
import type { UptimeSnapshot } from '../results/uptime.js';
import type { StoredDocument } from './maintenance-store.js';
import type {
  JournalWrite,
  NflogEntry,
  OutboxDepth,
  OutboxRow,
  SentNotification,
} from './notification-store.js';
import type { StoredState } from './store.js';

/** Alert state of the rules, and when they were last evaluated. */
export interface AlertRepository {
  load(): StoredState;
  save(alerts: readonly Alert[], evaluatedAt: number): void;
}

/** Counters kept across restarts: uptime per probe and SLO event counts. */
export interface CounterRepository {
  loadUptime(): Array<[string, UptimeSnapshot]>;
  saveUptime(entries: ReadonlyArray<[string, UptimeSnapshot]>): void;
  loadSlos(): Record<string, unknown>;
  saveSlos(snapshots: Readonly<Record<string, unknown>>): void;
}

/** The notification log (nflog), the outbox, the delivery log and API silences. */
export interface NotificationRepository {
  entry(integration: string, groupKey: string): NflogEntry | undefined;
  commit(integration: string, groupKey: string, entry: NflogEntry, notification?: Notification): void;
  heads(skipping?: readonly number[]): OutboxRow[];
  markDelivered(id: number, now: number): void;
  markRetry(id: number, nextAttemptAt: number, error: string): void;
  markFailed(id: number, now: number, error: string): void;
  writeJournal(journal: JournalWrite): Map<number, number>;
  depth(): OutboxDepth[];
  prune(before: number): void;
  sentFor(incidents: readonly string[]): Map<string, SentNotification[]>;
  pruneSentLog(before: number): void;
  loadSilences(onUnreadable?: (id: string, problem: string) => void): SilenceSpec[];
  saveSilence(silence: SilenceSpec): void;
}

/** Maintenance windows as documents, pruned by their end. */
export interface MaintenanceRepository {
  all(): StoredDocument[];
  save(id: string, endsAt: number, body: string): void;
  prune(before: number): void;
}

/** The whole store, as the daemon opens it. */
export interface Store extends AlertRepository, CounterRepository {
  readonly notifications: NotificationRepository;
  readonly maintenance: MaintenanceRepository;
  /** A kind's namespace of durable key → text (heartbeat pings). */
  kindStore(kind: string, onWriteError: (error: unknown) => void): KindStore;
  close(): void;
}
