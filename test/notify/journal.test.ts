/**
 * The notification journal (notify/delivery/journal.ts) on a real SQLite store whose writes can be made to
 * fail, as a full disk fails them: decisions and outcomes wait in memory, delivery goes on from
 * there in order, and one transaction writes them back when writes work again.
 */

import { describe, expect, it } from 'vitest';
import type { Notification } from '../../src/model/notification.js';
import { NotificationJournal } from '../../src/notify/delivery/journal.js';
import { type NflogEntry, NotifyStore } from '../../src/state/notification-store.js';
import { StateStore } from '../../src/state/store.js';
import { captureLog } from '../helpers/log.js';

/** A NotifyStore whose writes throw SQLITE_FULL while `full` is set; reads always work. */
class FillableStore extends NotifyStore {
  full = false;
  private refuse(): void {
    if (this.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  }
  override commit(...args: Parameters<NotifyStore['commit']>): void {
    this.refuse();
    super.commit(...args);
  }
  override markDelivered(...args: Parameters<NotifyStore['markDelivered']>): void {
    this.refuse();
    super.markDelivered(...args);
  }
  override markRetry(...args: Parameters<NotifyStore['markRetry']>): void {
    this.refuse();
    super.markRetry(...args);
  }
  override markFailed(...args: Parameters<NotifyStore['markFailed']>): void {
    this.refuse();
    super.markFailed(...args);
  }
  override writeJournal(...args: Parameters<NotifyStore['writeJournal']>): Map<number, number> {
    this.refuse();
    return super.writeJournal(...args);
  }
}

function setup() {
  const state = new StateStore();
  const store = new FillableStore(state.db);
  const journal = new NotificationJournal(store, captureLog('silent').log, () => 1_000);
  const rows = () =>
    state.db.prepare('SELECT id, group_key, state, attempts FROM outbox ORDER BY id').all() as Array<{
      id: number;
      group_key: string;
      state: string;
      attempts: number;
    }>;
  return { state, store, journal, rows };
}

const entry = (sentAt: number): NflogEntry => ({ firing: ['f'], resolved: [], sentAt, repeatSeq: 0 });
const note = (key: string) => ({ idempotencyKey: key, alerts: [] }) as unknown as Notification;

describe('the notification journal', () => {
  it('keeps decisions in memory while writes fail, delivers them once, and writes them back', () => {
    const { store, journal, rows, state } = setup();
    store.full = true;
    journal.commit('hook', 'g1', entry(10), note('a'));
    expect(journal.status()).toMatchObject({ degradedSince: 1_000, pending: 2 });
    expect(journal.entry('hook', 'g1')?.sentAt).toBe(10); // the dispatcher sees its own decision
    const [head] = journal.heads();
    expect(head?.notification.idempotencyKey).toBe('a');
    journal.markDelivered(head!.id, 20);
    expect(journal.heads()).toEqual([]); // delivered: never offered again
    expect(journal.flush()).toBe(false); // still full
    store.full = false;
    expect(journal.flush()).toBe(true);
    expect(journal.status()).toEqual({ pending: 0 });
    expect(rows()).toEqual([{ id: 1, group_key: 'g1', state: 'delivered', attempts: 1 }]);
    expect(store.entry('hook', 'g1')?.sentAt).toBe(10);
    expect(state.db.prepare('SELECT COUNT(*) AS n FROM sent_log').get()).toEqual({ n: 0 }); // no firedAt: no incident
  });

  it('keeps a group in order: its rows on disk go first, then those queued while full', () => {
    const { store, journal, rows } = setup();
    journal.commit('hook', 'g', entry(1), note('on-disk-1'));
    journal.commit('hook', 'g', entry(2), note('on-disk-2'));
    store.full = true;
    journal.commit('hook', 'g', entry(3), note('in-memory'));
    const keys = () => journal.heads().map((row) => row.notification.idempotencyKey);
    expect(keys()).toEqual(['on-disk-1']);
    // A retry of a disk row while full: its new schedule and attempt count show from memory.
    journal.markRetry(journal.heads()[0]!.id, 5_000, 'HTTP 503');
    expect(journal.heads()[0]).toMatchObject({ attempts: 1, nextAttemptAt: 5_000 });
    journal.markDelivered(journal.heads()[0]!.id, 6_000);
    expect(keys()).toEqual(['on-disk-2']); // the next disk row of the group, not the memory one
    journal.markFailed(journal.heads()[0]!.id, 7_000, 'rejected');
    expect(keys()).toEqual(['in-memory']);
    const inFlight = journal.heads()[0]!;
    store.full = false;
    journal.flush(); // written while an attempt on `inFlight` is still out
    journal.markDelivered(inFlight.id, 8_000); // reported under its journal id: lands on its disk row
    expect(rows().map((row) => [row.state, row.attempts])).toEqual([
      ['delivered', 2],
      ['failed', 1],
      ['delivered', 1],
    ]);
    expect(journal.heads()).toEqual([]);
  });
});
