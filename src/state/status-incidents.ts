/**
 * Incidents written by people for the status pages: a title, an impact, the components affected,
 * and a timeline of updates (investigating → identified → monitoring → resolved), each with its
 * time, text and author; a post-mortem once it is over. Kept in tables any instance writes (the
 * API may reach the instance that does not lead). Alert-made incidents (incidents.ts) stay as they
 * are; one can be promoted, and the written incident then names it.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

export const INCIDENT_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
/** Each state as people read it (pages, the feed, subscribers' mail). */
export function incidentStateWords(state: string): string {
  return state.charAt(0).toUpperCase() + state.slice(1);
}
export const INCIDENT_IMPACTS = ['degraded', 'partial_outage', 'major_outage', 'maintenance'] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];

const MAX_TITLE = 200;
const MAX_BODY = 5_000;
const MAX_POSTMORTEM = 50_000;

export interface IncidentUpdate {
  readonly id: string;
  readonly state: IncidentState;
  readonly body: string;
  readonly createdBy: string;
  readonly at: number;
}

export interface WrittenIncident {
  readonly id: string;
  readonly title: string;
  readonly impact: IncidentImpact;
  readonly components: readonly string[];
  /** The alert-made incident it was promoted from ('' when written from scratch). */
  readonly alertIncident: string;
  readonly createdAt: number;
  readonly resolvedAt?: number;
  readonly postmortem: string;
  /** Oldest first; the last one's state is the incident's. */
  readonly updates: readonly IncidentUpdate[];
}

export function incidentState(incident: WrittenIncident): IncidentState {
  return incident.updates.at(-1)?.state ?? 'investigating';
}

export function writtenIncidentAsJson(incident: WrittenIncident) {
  const time = (ms: number) => new Date(ms).toISOString();
  return {
    id: incident.id,
    title: incident.title,
    impact: incident.impact,
    state: incidentState(incident),
    components: incident.components,
    ...(incident.alertIncident ? { alertIncident: incident.alertIncident } : {}),
    createdAt: time(incident.createdAt),
    ...(incident.resolvedAt !== undefined ? { resolvedAt: time(incident.resolvedAt) } : {}),
    ...(incident.postmortem ? { postmortem: incident.postmortem } : {}),
    updates: incident.updates.map((update) => ({
      id: update.id,
      state: update.state,
      body: update.body,
      createdBy: update.createdBy,
      at: time(update.at),
    })),
  };
}

interface IncidentRow {
  id: string;
  title: string;
  impact: string;
  components: string;
  alert_incident: string;
  created_at: number;
  resolved_at: number | null;
  postmortem: string;
}

interface UpdateRow {
  id: string;
  incident: string;
  state: string;
  body: string;
  created_by: string;
  at: number;
}

function stringList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

const isState = (value: string): value is IncidentState =>
  (INCIDENT_STATES as readonly string[]).includes(value);

export class StatusIncidents {
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.statements = {
      insert: db.prepare(`
        INSERT INTO status_incidents (id, title, impact, components, alert_incident, created_at, resolved_at, postmortem)
        VALUES (@id, @title, @impact, @components, @alert_incident, @created_at, NULL, '')`),
      insertUpdate: db.prepare(`
        INSERT INTO status_incident_updates (id, incident, state, body, created_by, at)
        VALUES (@id, @incident, @state, @body, @created_by, @at)`),
      resolve: db.prepare('UPDATE status_incidents SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL'),
      reopen: db.prepare('UPDATE status_incidents SET resolved_at = NULL WHERE id = ?'),
      postmortem: db.prepare('UPDATE status_incidents SET postmortem = ? WHERE id = ?'),
      get: db.prepare('SELECT * FROM status_incidents WHERE id = ?'),
      since: db.prepare(
        'SELECT * FROM status_incidents WHERE resolved_at IS NULL OR resolved_at >= ? ORDER BY created_at DESC LIMIT ?',
      ),
      updatesOf: db.prepare('SELECT * FROM status_incident_updates WHERE incident = ? ORDER BY at, rowid'),
    };
  }

  private read(row: IncidentRow): WrittenIncident {
    const updates = (this.statements.updatesOf.all(row.id) as UpdateRow[]).map((update) => ({
      id: update.id,
      state: isState(update.state) ? update.state : 'investigating',
      body: update.body,
      createdBy: update.created_by,
      at: update.at,
    }));
    return {
      id: row.id,
      title: row.title,
      impact: (INCIDENT_IMPACTS as readonly string[]).includes(row.impact)
        ? (row.impact as IncidentImpact)
        : 'degraded',
      components: stringList(row.components),
      alertIncident: row.alert_incident,
      createdAt: row.created_at,
      ...(row.resolved_at === null ? {} : { resolvedAt: row.resolved_at }),
      postmortem: row.postmortem,
      updates,
    };
  }

  get(id: string): WrittenIncident | undefined {
    const row = this.statements.get.get(id) as IncidentRow | undefined;
    return row && this.read(row);
  }

  /** Open ones, and those resolved since `since`, newest first. */
  list(since: number, limit = 200): WrittenIncident[] {
    return (this.statements.since.all(since, limit) as IncidentRow[]).map((row) => this.read(row));
  }

  /** Opens an incident with its first update; returns it, or what is wrong with the input. */
  open(input: {
    title: string;
    impact: string;
    components: readonly string[];
    state?: string;
    body: string;
    createdBy: string;
    alertIncident?: string;
  }): WrittenIncident | string {
    const title = input.title.trim();
    if (!title) return 'title: expected what people see as the headline';
    if ([...title].length > MAX_TITLE) return `title: expected at most ${MAX_TITLE} characters`;
    if (!(INCIDENT_IMPACTS as readonly string[]).includes(input.impact))
      return `impact: expected one of ${INCIDENT_IMPACTS.join(', ')}`;
    if (input.components.length === 0) return 'components: expected at least one affected component';
    const state = input.state ?? 'investigating';
    if (!isState(state) || state === 'resolved')
      return `state: expected one of ${INCIDENT_STATES.filter((s) => s !== 'resolved').join(', ')}`;
    const problem = checkUpdate(input.body, input.createdBy);
    if (problem) return problem;
    const id = randomUUID();
    const at = this.now();
    this.db.transaction(() => {
      this.statements.insert.run({
        id,
        title,
        impact: input.impact,
        components: JSON.stringify([...new Set(input.components)]),
        alert_incident: input.alertIncident ?? '',
        created_at: at,
      });
      this.statements.insertUpdate.run({
        id: randomUUID(),
        incident: id,
        state,
        body: input.body.trim(),
        created_by: input.createdBy.trim(),
        at,
      });
    })();
    return this.get(id)!;
  }

  /**
   * Adds an update; `resolved` resolves it (and an update in another state after that reopens
   * it). A post-mortem may come with any update, or later on its own with the same state.
   */
  update(
    id: string,
    input: { state: string; body: string; createdBy: string; postmortem?: string },
  ): WrittenIncident | 'not_found' | string {
    const incident = this.get(id);
    if (!incident) return 'not_found';
    if (!isState(input.state)) return `state: expected one of ${INCIDENT_STATES.join(', ')}`;
    const problem = checkUpdate(input.body, input.createdBy);
    if (problem) return problem;
    if (input.postmortem !== undefined && [...input.postmortem].length > MAX_POSTMORTEM)
      return `postmortem: expected at most ${MAX_POSTMORTEM} characters`;
    const at = this.now();
    this.db.transaction(() => {
      this.statements.insertUpdate.run({
        id: randomUUID(),
        incident: id,
        state: input.state,
        body: input.body.trim(),
        created_by: input.createdBy.trim(),
        at,
      });
      if (input.state === 'resolved') this.statements.resolve.run(at, id);
      else this.statements.reopen.run(id);
      if (input.postmortem !== undefined) this.statements.postmortem.run(input.postmortem.trim(), id);
    })();
    return this.get(id)!;
  }
}

function checkUpdate(body: string, createdBy: string): string | undefined {
  if (!body.trim()) return 'message: expected what people should know now';
  if ([...body].length > MAX_BODY) return `message: expected at most ${MAX_BODY} characters`;
  if (!createdBy.trim()) return 'createdBy: expected who writes it';
  return undefined;
}
