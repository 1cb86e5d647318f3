/**
 * Captures every write the SQLite store makes, as PostgreSQL statements, one batch per committed
 * transaction. The shared store keeps the SQLite store in memory as its working copy (so every
 * read stays synchronous and local) and replays these batches on PostgreSQL in order (writer.ts):
 * statement replication, the way a database ships its log. Because it sits under the store's
 * prepared statements, no write path can forget to reach the database.
 *
 * The store's write SQL is the subset both databases share (INSERT … ON CONFLICT … excluded,
 * plain UPDATE and DELETE); two things are translated here: placeholders (`?` and `@name` become
 * `$n`), and the outbox's ids, which SQLite assigns and PostgreSQL is told, so both copies agree.
 * A transaction that throws contributes nothing (a nested one that throws only its own part, as
 * SQLite's savepoints do).
 */
import type Database from 'better-sqlite3';

export interface MirroredStatement {
  readonly table: string;
  readonly text: string;
  readonly params: readonly unknown[];
}

const WRITE = /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i;
/** Tables whose INSERT takes the id SQLite assigned. */
const ASSIGNED_IDS = new Set(['outbox']);

/** SQLite text and arguments → PostgreSQL text and positional parameters. */
export function translate(
  sql: string,
  args: readonly unknown[],
  insertedId?: number | bigint,
): MirroredStatement {
  const table = WRITE.exec(sql)?.[1]?.toLowerCase();
  if (!table) throw new Error(`not a write statement: ${sql.slice(0, 60)}`);
  let text = sql;
  let values: unknown[];
  const named = /@(\w+)/g;
  if (named.test(text)) {
    const record = (args[0] ?? {}) as Record<string, unknown>;
    values = [];
    text = text.replace(named, (_, name: string) => {
      values.push(record[name] ?? null);
      return '?';
    });
  } else {
    values = [...args];
  }
  if (insertedId !== undefined && ASSIGNED_IDS.has(table) && /^\s*INSERT/i.test(text)) {
    text = text.replace(/\(\s*/, '(id, ').replace(/VALUES\s*\(\s*/i, 'VALUES (?, ');
    values.unshift(Number(insertedId));
  }
  let position = 0;
  text = text.replace(/\?/g, () => `$${++position}`);
  if (position !== values.length)
    throw new Error(`statement on ${table} has ${position} placeholders and ${values.length} values`);
  return { table, text, params: values.map((value) => (typeof value === 'bigint' ? Number(value) : value)) };
}

/**
 * Wraps a SQLite handle so that its committed writes reach `onCommit`. Writes made through the
 * handle itself (`raw`) are not captured: that is how a copy is loaded from PostgreSQL.
 */
export class WriteMirror {
  readonly db: Database.Database;
  /** While true nothing is captured (the store's own start-up writes, loading a copy). */
  paused = true;
  private pending: MirroredStatement[] = [];
  private depth = 0;

  constructor(
    readonly raw: Database.Database,
    private readonly onCommit: (batch: MirroredStatement[]) => void,
  ) {
    this.db = new Proxy(raw, {
      get: (target, property, receiver) => {
        if (property === 'prepare') return (sql: string) => this.statement(target.prepare(sql), sql);
        if (property === 'transaction')
          return (fn: (...args: unknown[]) => unknown) => this.transaction(target, fn);
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private statement(statement: Database.Statement, sql: string): Database.Statement {
    if (!WRITE.test(sql)) return statement;
    return new Proxy(statement, {
      get: (target, property, receiver) => {
        if (property !== 'run') {
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (...args: unknown[]) => {
          const info = target.run(...args);
          // Every write, even one that changed nothing here: the database's copy may differ
          // (a follower's stale row), and the statement's intent is what is replicated.
          if (!this.paused) this.record(translate(sql, args, info.lastInsertRowid));
          return info;
        };
      },
    });
  }

  private record(statement: MirroredStatement): void {
    this.pending.push(statement);
    if (this.depth === 0) this.commit();
  }

  private commit(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.onCommit(batch);
  }

  private transaction(target: Database.Database, fn: (...args: unknown[]) => unknown) {
    const wrapped = target.transaction((...args: unknown[]) => {
      const mark = this.pending.length;
      this.depth++;
      try {
        return fn(...args);
      } catch (error) {
        this.pending.length = mark;
        throw error;
      } finally {
        this.depth--;
      }
    });
    const run = (...args: unknown[]) => {
      const result = wrapped(...args);
      if (this.depth === 0) this.commit();
      return result;
    };
    return Object.assign(run, { deferred: run, immediate: run, exclusive: run, default: run });
  }
}
