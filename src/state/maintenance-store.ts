/**
 * Maintenance windows on disk: one JSON document per window with its end, so windows past their
 * history can be pruned without reading them. What a window means is muting/maintenance.ts's
 * business; this only keeps the documents.
 */
import type Database from 'better-sqlite3';
import type { MaintenanceRepository } from './repositories.js';

export interface StoredDocument {
  readonly id: string;
  readonly body: string;
}

export class MaintenanceStore implements MaintenanceRepository {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      all: db.prepare('SELECT id, body FROM maintenance'),
      save: db.prepare(
        'INSERT INTO maintenance (id, ends_at, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET ends_at = excluded.ends_at, body = excluded.body',
      ),
      prune: db.prepare('DELETE FROM maintenance WHERE ends_at < ?'),
    };
  }

  all(): StoredDocument[] {
    return this.statements.all.all() as StoredDocument[];
  }

  save(id: string, endsAt: number, body: string): void {
    this.statements.save.run(id, endsAt, body);
  }

  /** Forgets windows that ended before `before`. */
  prune(before: number): void {
    this.statements.prune.run(before);
  }
}
