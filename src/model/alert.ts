/**
 * An alert: one (rule, probe) pair's state, as the evaluator keeps it, the state store saves it,
 * and notifications, the API and the status page show it. prismwatch's own alerts
 * (NotificationsFailing, the state alerts) have the same shape.
 */
import { createHash } from 'node:crypto';

export const RESOLVED_RETENTION_MS = 15 * 60_000;

export type AlertState = 'pending' | 'firing' | 'resolved';

export interface Alert {
  readonly fingerprint: string;
  readonly rule: string;
  readonly probe: string;
  readonly labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** The rule's condition as people read it ("> 5%", "> 2s"), for notifications; none for prismwatch's own alerts. */
  threshold?: string;
  /**
   * What the alert rests on, in words: "7 of 98 runs failed (7.1%) over 5m", "p95 2.50s over 12
   * runs in 5m". Refreshed at every evaluation, so a resolved alert says what it is now.
   */
  evidence?: string;
  /** The probe's latest failure while the alert was active: its code and message. */
  failure?: {
    readonly code: string;
    readonly message: string;
    readonly traceId?: string;
    /** Where the network path to the target stopped, traced when the probe went down. */
    readonly path?: string;
  };
  /** Epoch ms of the incident's first failed run: the failing streak's start, or the window's first failure. */
  firstFailureAt?: number;
  state: AlertState;
  value: number;
  /** Epoch ms the condition started holding (start of pending). */
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  keepFiringSince?: number;
  /**
   * How long after its cause has gone the alert's signal can still hold it: the rule's window (for
   * windowed signals), its keep_firing_for, one probe interval and one evaluation. An error rate
   * over 5 m still counts an outage's failures 5 m after the target is back.
   */
  echoMs?: number;
}

/** Why a firing alert notifies nobody now: shown on the page and the API, logged when it changes. */
export interface Muting {
  readonly by: 'silence' | 'maintenance' | 'inhibition';
  /** The silence's or maintenance window's id; for inhibition, the source alert's name. */
  readonly id: string;
}

/** An alert as the API and the status page show it: with what mutes it, if anything does. */
export type ShownAlert = Alert & {
  readonly muted?: Muting;
  /** Who took this firing on (state/acknowledgements.ts). */
  readonly acknowledged?: { readonly by: string; readonly at: number; readonly comment: string };
};

/** What an alert is about, for "<alert> on <subject>": its probe, else its SLO, else its location. */
export function alertSubject(labels: Readonly<Record<string, string>>): string {
  return labels.probe ?? labels.slo ?? labels.location ?? labels.instance ?? '';
}

export function fingerprintOf(labels: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((key) => `${key}\u0000${labels[key]}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * One alert's one firing: its fingerprint and when it fired (to the millisecond, as notifications
 * carry it). Incidents (state/incidents.ts) and the delivery log meet on it.
 */
export function incidentId(fingerprint: string, firedAt: string | number): string {
  return `${fingerprint}@${new Date(firedAt).toISOString()}`;
}
