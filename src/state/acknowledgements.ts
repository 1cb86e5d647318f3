/**
 * Acknowledgements: someone said "I am on it" for one firing of an alert (one incident). Kept in
 * the state store beside the incidents, in a table any instance writes (an acknowledge link may
 * reach the instance that does not lead), so the leader's dispatcher sees it within a second and
 * stops that incident's repeats and escalation (notify/dispatch/). The first acknowledgement
 * stands: a second one (the link opened twice, two people at once) is answered with the first.
 *
 * Also holds the key that signs acknowledge links (notify/ack/ack-link.ts), in `meta`, so links
 * outlive a restart and verify on every instance of a shared store.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { incidentId } from '../model/alert.js';

export type AcknowledgedVia = 'link' | 'api';

export interface Acknowledgement {
  readonly incident: string;
  readonly fingerprint: string;
  readonly firedAt: number;
  readonly by: string;
  readonly at: number;
  readonly comment: string;
  readonly via: AcknowledgedVia;
  /** The integration whose notification carried the link used (`receiver/type/index`), or ''. */
  readonly origin: string;
}

interface AcknowledgementRow {
  incident: string;
  fingerprint: string;
  fired_at: number;
  acknowledged_by: string;
  acknowledged_at: number;
  comment: string;
  via: string;
  origin: string;
}

/** Who and why, as typed into a form or the CLI: a name and a line, not an essay. */
export const MAX_ACK_BY_CHARS = 100;
export const MAX_ACK_COMMENT_CHARS = 500;
const KEY_NAME = 'acknowledge_link_key';

function fromRow(row: AcknowledgementRow): Acknowledgement {
  return {
    incident: row.incident,
    fingerprint: row.fingerprint,
    firedAt: row.fired_at,
    by: row.acknowledged_by,
    at: row.acknowledged_at,
    comment: row.comment,
    via: row.via === 'link' ? 'link' : 'api',
    origin: row.origin,
  };
}

export function acknowledgementAsJson(ack: Acknowledgement) {
  return {
    incident: ack.incident,
    fingerprint: ack.fingerprint,
    by: ack.by,
    at: new Date(ack.at).toISOString(),
    ...(ack.comment ? { comment: ack.comment } : {}),
    via: ack.via,
  };
}

export class Acknowledgements {
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    this.statements = {
      insert: db.prepare(`
        INSERT INTO acknowledgements (incident, fingerprint, fired_at, acknowledged_by, acknowledged_at, comment, via, origin)
        VALUES (@incident, @fingerprint, @fired_at, @acknowledged_by, @acknowledged_at, @comment, @via, @origin)
        ON CONFLICT (incident) DO NOTHING`),
      get: db.prepare('SELECT * FROM acknowledgements WHERE incident = ?'),
      since: db.prepare(
        'SELECT * FROM acknowledgements WHERE acknowledged_at >= ? ORDER BY acknowledged_at DESC, rowid DESC LIMIT 1000',
      ),
      prune: db.prepare('DELETE FROM acknowledgements WHERE acknowledged_at < ?'),
      key: db.prepare('SELECT value FROM meta WHERE key = ?'),
      createKey: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    };
  }

  /**
   * Records the acknowledgement of one firing (fingerprint + when it fired), unless one is
   * recorded already. Returns the one that stands and whether it was there before, or what is
   * wrong with the input.
   */
  acknowledge(input: {
    fingerprint: string;
    firedAt: number;
    by: string;
    comment?: string;
    via: AcknowledgedVia;
    origin?: string;
  }): { acknowledgement: Acknowledgement; already: boolean } | string {
    const by = input.by.trim();
    const comment = (input.comment ?? '').trim();
    if (!by) return 'by: expected who acknowledges';
    if ([...by].length > MAX_ACK_BY_CHARS) return `by: expected at most ${MAX_ACK_BY_CHARS} characters`;
    if ([...comment].length > MAX_ACK_COMMENT_CHARS)
      return `comment: expected at most ${MAX_ACK_COMMENT_CHARS} characters`;
    const incident = incidentId(input.fingerprint, input.firedAt);
    const inserted = this.statements.insert.run({
      incident,
      fingerprint: input.fingerprint,
      fired_at: input.firedAt,
      acknowledged_by: by,
      acknowledged_at: this.now(),
      comment,
      via: input.via,
      origin: input.origin ?? '',
    });
    const acknowledgement = this.byIncident(incident);
    if (!acknowledgement) throw new Error(`acknowledgement of ${incident} was not stored`);
    return { acknowledgement, already: inserted.changes === 0 };
  }

  /** The acknowledgement of this firing of an alert, if any. */
  of(fingerprint: string, firedAt: number): Acknowledgement | undefined {
    return this.byIncident(incidentId(fingerprint, firedAt));
  }

  byIncident(incident: string): Acknowledgement | undefined {
    const row = this.statements.get.get(incident) as AcknowledgementRow | undefined;
    return row && fromRow(row);
  }

  /** The newest first, at most 1,000. */
  since(at: number): Acknowledgement[] {
    return (this.statements.since.all(at) as AcknowledgementRow[]).map(fromRow);
  }

  /** Forgets acknowledgements older than `before` (the incidents' retention). */
  prune(before: number): void {
    this.statements.prune.run(before);
  }

  /**
   * The key acknowledge links are signed with, made on first use. `create: false` (verifying a
   * link) only reads: an instance that does not lead must not make a key of its own.
   */
  linkKey(create: boolean): Buffer | undefined {
    const read = () => {
      const row = this.statements.key.get(KEY_NAME) as { value: string } | undefined;
      return row ? Buffer.from(row.value, 'base64') : undefined;
    };
    const existing = read();
    if (existing || !create) return existing;
    this.statements.createKey.run(KEY_NAME, randomBytes(32).toString('base64'));
    return read();
  }
}
