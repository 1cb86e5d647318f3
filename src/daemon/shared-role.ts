/**
 * The control plane's role when instances share a state database: leader (evaluates, decides,
 * sends) or standing by (shows what the leader decided). This holds the rules of the changes;
 * the control plane does the acts (RoleActs).
 *
 * - Becoming leader after another instance led: every table is read again first (the last
 *   leader's alerts, `for` timers, notification log and outbox), then alert state is restored as
 *   after a restart, then deciding starts. Taking the lease back without a break skips the read.
 * - A change of role during a slow takeover wins: the takeover that started first gives up.
 * - Once the daemon is stopping, roles no longer change.
 * - A notification is sent only by the leader, and only once its claim is in the database
 *   (writer.ts); StateStoreUnavailable alone goes out without one, since it could not otherwise.
 */
import type { Logger } from 'pino';
import type { OutboxRow } from '../state/notification-store.js';
import type { SharedState } from '../state/shared/shared-store.js';
import { STORE_UNAVAILABLE } from '../state/state-alerts.js';

export interface RoleActs {
  /** Restores alert state, SLO counts and muting from the (just reloaded) working copy. */
  restoreFromStore(): void;
  /** Starts evaluating, deciding, sending and pinging. */
  startDeciding(): void;
  /** Stops all of that; what the leader decided stays on show. */
  stopDeciding(): void;
  /** Tables another instance changed were reloaded into the working copy. */
  reloaded(tables: ReadonlySet<string>, leading: boolean): void;
}

const TAKEOVER_RETRY_MS = 1_000;

/** Whether every alert of a notification is StateStoreUnavailable: it may go out without a claim. */
const onlyAboutTheStore = (row: OutboxRow) =>
  row.notification.alerts.every((alert) => alert.labels.alertname === STORE_UNAVAILABLE);

export class SharedRole {
  private leadingNow: boolean;
  /** Bumped at every change of role, so a slow takeover does not start after a later stand-by. */
  private generation = 0;
  private halted = false;

  constructor(
    private readonly shared: SharedState,
    private readonly acts: RoleActs,
    private readonly log: Logger,
  ) {
    this.leadingNow = shared.leadership.token() !== undefined;
  }

  leading(): boolean {
    return this.leadingNow;
  }

  /** Follows the lease from now on, starting in the role the instance has. */
  start(): void {
    this.shared.leadership.onChange((change) => {
      if (this.halted) return;
      if (change.leading) void this.lead(change.continuous);
      else this.standBy();
    });
    this.shared.sync.onLoaded((tables) => this.acts.reloaded(tables, this.leadingNow));
    if (this.leadingNow) this.acts.startDeciding();
    else this.standBy();
  }

  halt(): void {
    this.halted = true;
    this.generation++;
  }

  /** May this instance send `row` now? */
  async claim(row: OutboxRow): Promise<boolean> {
    if (!this.leadingNow) return false;
    if (this.shared.writer.status().unavailableSince !== undefined && onlyAboutTheStore(row)) return true;
    return this.shared.writer.claim(row.id);
  }

  private async lead(continuous: boolean): Promise<void> {
    const generation = ++this.generation;
    if (!continuous) {
      for (;;) {
        try {
          await this.shared.sync.loadAll();
          break;
        } catch (error) {
          this.log.warn({ err: error }, 'Could not read the shared state to take over; trying again in 1 s');
          await new Promise((resolve) => setTimeout(resolve, TAKEOVER_RETRY_MS));
          if (generation !== this.generation) return;
        }
      }
      if (generation !== this.generation) return;
      this.acts.restoreFromStore();
    }
    this.leadingNow = true;
    this.acts.startDeciding();
  }

  private standBy(): void {
    this.generation++;
    this.leadingNow = false;
    this.acts.stopDeciding();
  }
}
