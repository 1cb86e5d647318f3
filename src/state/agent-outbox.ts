/**
 * An agent's results on their way to the control plane: a SQLite file in the agent's data
 * directory (`agent-outbox.db`), so a link that drops, or an agent restarted meanwhile, loses
 * nothing. Results are numbered in the order they finished (the sequence the control plane
 * deduplicates by) and leave only once the control plane acknowledged them.
 *
 * Bounded: past `maxResults` (default 1,000,000, about 300-600 MB of disk for HTTP results), the
 * oldest are dropped and counted, so a control plane away for days cannot fill the agent's disk:
 * at 100 probes every 10 s, the bound holds 27 hours. A write that fails (disk full) keeps the
 * result in memory, up to a small bound, and is retried with the next one.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const DEFAULT_OUTBOX_MAX_RESULTS = 1_000_000;
/** Results kept in memory while the disk refuses writes; past it the oldest are dropped. */
const MAX_UNWRITTEN = 10_000;

export interface OutboxEntry {
  readonly seq: number;
  readonly probe: string;
  /** The result as JSON, as it goes on the wire. */
  readonly result: string;
}

export class AgentOutbox {
  private readonly db: Database.Database;
  private readonly statements;
  private unwritten: Array<{ probe: string; result: string }> = [];
  private count: number;
  /** Results dropped because the outbox was full (or the disk refused them), since the agent started. */
  dropped = 0;
  /** This outbox's identity: results are numbered per outbox (a new file starts again at 1). */
  readonly id: string;

  constructor(
    dataDir: string,
    private readonly maxResults = DEFAULT_OUTBOX_MAX_RESULTS,
  ) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(dataDir, 'agent-outbox.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS results (seq INTEGER PRIMARY KEY AUTOINCREMENT, probe TEXT NOT NULL, result TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    const existing = this.db.prepare("SELECT value FROM meta WHERE key = 'id'").get() as
      | { value: string }
      | undefined;
    this.id = existing?.value ?? randomUUID();
    if (!existing) this.db.prepare("INSERT INTO meta (key, value) VALUES ('id', ?)").run(this.id);
    this.statements = {
      insert: this.db.prepare('INSERT INTO results (probe, result) VALUES (?, ?)'),
      peek: this.db.prepare('SELECT seq, probe, result FROM results ORDER BY seq LIMIT ?'),
      ack: this.db.prepare('DELETE FROM results WHERE seq <= ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM results'),
      trim: this.db.prepare(
        'DELETE FROM results WHERE seq IN (SELECT seq FROM results ORDER BY seq LIMIT ?)',
      ),
    };
    this.count = (this.statements.count.get() as { n: number }).n;
  }

  /** Results waiting (on disk and in memory). */
  get depth(): number {
    return this.count + this.unwritten.length;
  }

  /** Queues a result; never throws (a failing disk keeps it in memory for a while). */
  append(probe: string, result: string): void {
    this.unwritten.push({ probe, result });
    if (this.unwritten.length > MAX_UNWRITTEN) {
      this.unwritten.shift();
      this.dropped++;
    }
    this.writePending();
  }

  /** The oldest results, in order, up to `limit` entries and about `maxBytes` of JSON. */
  peek(limit: number, maxBytes: number): OutboxEntry[] {
    this.writePending();
    const rows = this.statements.peek.all(limit) as OutboxEntry[];
    let bytes = 0;
    const out: OutboxEntry[] = [];
    for (const row of rows) {
      bytes += row.result.length + row.probe.length + 32;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(row);
    }
    return out;
  }

  /** The control plane has everything up to `seq`. */
  acknowledge(seq: number): void {
    const removed = this.statements.ack.run(seq).changes;
    this.count = Math.max(0, this.count - removed);
  }

  close(): void {
    this.writePending();
    this.db.close();
  }

  private writePending(): void {
    if (this.unwritten.length === 0) return;
    const pending = this.unwritten;
    const excess = Math.max(0, this.count + pending.length - this.maxResults);
    try {
      this.db.transaction(() => {
        for (const { probe, result } of pending) this.statements.insert.run(probe, result);
        if (excess > 0) this.statements.trim.run(excess);
      })();
    } catch {
      // Kept in memory (bounded); written with the next result or the next peek.
      return;
    }
    this.dropped += excess;
    this.count += pending.length - excess;
    this.unwritten = [];
  }
}
