/** The shared store's own series: who leads, whether the database takes writes, what waits. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WriterMetrics } from './writer.js';

export interface SharedView {
  leading(): boolean;
  databaseUp(): boolean;
  queuedStatements(): number;
}

export function sharedStateMetrics(registry: Registry, view: () => SharedView | undefined): WriterMetrics {
  const registers = [registry];
  new Gauge({
    name: 'prismwatch_leader',
    help: 'Whether this instance leads (evaluates rules and sends notifications): 1 or 0. An instance without a shared state database always leads.',
    registers,
    collect() {
      this.set(view()?.leading() === false ? 0 : 1);
    },
  });
  new Gauge({
    name: 'prismwatch_state_database_up',
    help: 'Whether the shared state database (--state.url) took the last write or read: 1 or 0. Absent without one.',
    registers,
    collect() {
      const shared = view();
      if (shared) this.set(shared.databaseUp() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'prismwatch_state_queued_statements',
    help: 'Writes waiting in memory for the shared state database.',
    registers,
    collect() {
      this.set(view()?.queuedStatements() ?? 0);
    },
  });
  const written = new Counter({
    name: 'prismwatch_state_statements_written_total',
    help: 'Writes replayed on the shared state database.',
    registers,
  });
  const dropped = new Counter({
    name: 'prismwatch_state_statements_dropped_total',
    help: 'Writes not replayed on the shared state database, by reason: not_leader (a former leader), bound (folded into a snapshot), rejected (refused by the database; logged).',
    labelNames: ['reason'],
    registers,
  });
  const seconds = new Histogram({
    name: 'prismwatch_state_transaction_seconds',
    help: 'How long a transaction on the shared state database took.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  return {
    statementsWritten: (count) => written.inc(count),
    transactionSeconds: (value) => seconds.observe(value),
    dropped: (reason, count) => dropped.inc({ reason }, count),
  };
}
