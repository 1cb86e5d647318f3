/**
 * Alerts → aggregation groups → notifications in the outbox, with Alertmanager's timers and
 * dedup (dispatch/dispatch.go, notify/dedup_stage.go needsUpdate):
 * - a new group waits group_wait, then flushes every group_interval;
 * - at a flush each integration gets a notification only for a first firing, an alert new to what
 *   it last heard, a resolution of an alert it was told about, or once repeat_interval has passed;
 * - the decision and the queued notification are committed in one transaction (store.ts),
 *   so neither a retry nor a restart repeats a notification, and none is lost.
 * Unlike Alertmanager, muting (silence or inhibition) only stops *new* firing notices: an alert an
 * integration was told about still gets its resolved notice, even while muted; and an inhibited
 * alert stays muted through its source's aftermath (inhibit.ts).
 */

import type { Logger } from 'pino';
import type { Alert } from '../../model/alert.js';
import { formatLabels } from '../../model/matchers.js';
import type { Notification, NotificationReason, NotifiedAlert } from '../../model/notification.js';
import type { Mutes } from '../../muting/muting.js';
import { heldBy } from '../../muting/time-intervals.js';
import type { NflogEntry } from '../../state/notification-store.js';
import { formatDuration } from '../../util/duration.js';
import { timerDelay } from '../../util/timer.js';
import type { Integration, NotifyConfig, RouteNode } from '../config/model.js';
import type { NotificationJournal } from '../delivery/journal.js';
import { groupLabels, matchRoutes } from '../routing/route.js';
import { alertLinks, sentAnnotations } from './links.js';
import { common, idempotencyKey, ZERO_TIME } from './notification.js';

/** The label NotificationsFailing carries: an integration is never told about its own failure. */
export const INTEGRATION_LABEL = 'integration';

interface GroupedAlert {
  alert: Alert;
  /** Gone from the evaluator (its retention ended, or it went back to pending): reads as resolved once more. */
  gone: boolean;
}

interface Group {
  readonly key: string;
  readonly route: RouteNode;
  readonly labels: Record<string, string>;
  readonly alerts: Map<string, GroupedAlert>;
  timer: NodeJS.Timeout | undefined;
  /** Whether its first flush (after group_wait) has happened. */
  flushed: boolean;
}

interface DispatcherOptions {
  /** Where decisions and queued notifications are committed (never refuses: journal.ts). */
  readonly store: Pick<NotificationJournal, 'entry' | 'commit'>;
  /** The muting stage: silences, maintenance windows and inhibition, asked as one (muting/muting.ts). */
  readonly mutes: Pick<Mutes, 'mutingOf' | 'observe'>;
  readonly log: Logger;
  readonly now: () => number;
  /** Called after notifications were queued, so delivery can start at once. */
  readonly onQueued: () => void;
  /** The daemon's own base URL, when the config names no external_url. */
  readonly baseUrl: () => string;
  readonly onFlushError: () => void;
}

/** The evidence an alert carries (rules/evidence.ts), as a notification shows it. */
function incidentFields(alert: Alert, now: number): Partial<NotifiedAlert> {
  const began = alert.firstFailureAt ?? alert.activeAt;
  const resolvedAt = alert.state === 'firing' ? undefined : (alert.resolvedAt ?? now);
  return {
    ...(alert.evidence ? { evidence: alert.evidence } : {}),
    ...(alert.failure ? { failure: alert.failure } : {}),
    ...(alert.firstFailureAt !== undefined
      ? { firstFailureAt: new Date(alert.firstFailureAt).toISOString() }
      : {}),
    ...(resolvedAt !== undefined
      ? { duration: formatDuration(Math.max(0, Math.round((resolvedAt - began) / 1000) * 1000)) }
      : {}),
  };
}

/**
 * What the log says an integration was told is firing: fingerprint → the firing time it was told
 * of. Entries are written `<fingerprint>@<firedAt>`; a bare fingerprint (written before) has no
 * time, and is then judged by when the log was written.
 */
function toldFirings(
  entry: NflogEntry | undefined,
): Map<string, { readonly written: string; readonly firedAt?: number }> {
  const told = new Map<string, { written: string; firedAt?: number }>();
  for (const written of entry?.firing ?? []) {
    const at = written.indexOf('@');
    if (at === -1) told.set(written, { written });
    else told.set(written.slice(0, at), { written, firedAt: Number(written.slice(at + 1)) });
  }
  return told;
}

/** Whether any alert of the group is firing (and still reported by the evaluator). */
function isFiring(group: Group): boolean {
  for (const { alert, gone } of group.alerts.values()) if (alert.state === 'firing' && !gone) return true;
  return false;
}

export class Dispatcher {
  private readonly groups = new Map<string, Group>();
  private config: NotifyConfig;

  constructor(
    config: NotifyConfig,
    private readonly options: DispatcherOptions,
  ) {
    this.config = config;
  }

  /**
   * A reload: Alertmanager rebuilds its groups and restarts their timers; so do we. The log and
   * the outbox are untouched, so nothing already notified is notified again.
   */
  setConfig(config: NotifyConfig, alerts: readonly Alert[]): void {
    this.config = config;
    this.stop();
    this.update(alerts);
  }

  /** The full list of current alerts (pending ones are ignored), after each evaluation. */
  update(alerts: readonly Alert[]): void {
    const firing = alerts.filter((alert) => alert.state === 'firing');
    this.options.mutes.observe(firing);
    const wasFiring = new Set([...this.groups.values()].filter(isFiring).map((group) => group.key));
    const seen = new Map<string, Set<string>>();
    for (const alert of alerts) {
      if (alert.state === 'pending') continue;
      for (const route of matchRoutes(this.config.route, alert.labels)) {
        const labels = groupLabels(route, alert.labels);
        const key = `${route.id}:${formatLabels(labels)}`;
        let group = this.groups.get(key);
        if (!group) {
          // A resolved alert opens a group too: after a restart, its resolution may still be owed.
          group = { key, route, labels, alerts: new Map(), timer: undefined, flushed: false };
          this.groups.set(key, group);
          this.schedule(group, route.groupWaitMs);
        }
        group.alerts.set(alert.fingerprint, { alert: { ...alert }, gone: false });
        const inGroup = seen.get(key) ?? new Set<string>();
        seen.set(key, inGroup);
        inGroup.add(alert.fingerprint);
      }
    }
    for (const group of this.groups.values()) {
      const present = seen.get(group.key);
      for (const [fingerprint, entry] of group.alerts) if (!present?.has(fingerprint)) entry.gone = true;
      // Everything in it has just resolved: say so now rather than at the next group_interval
      // (Alertmanager waits; an on-call engineer waiting for "resolved" should not). A group
      // still in its group_wait keeps it: nobody was told of it yet.
      if (group.route.flushOnResolve && group.flushed && wasFiring.has(group.key) && !isFiring(group)) {
        clearTimeout(group.timer);
        this.schedule(group, 0);
      }
    }
  }

  stop(): void {
    for (const group of this.groups.values()) clearTimeout(group.timer);
    this.groups.clear();
  }

  private schedule(group: Group, delayMs: number): void {
    group.timer = setTimeout(() => this.flush(group), timerDelay(delayMs));
    group.timer.unref?.();
  }

  private flush(group: Group): void {
    if (this.groups.get(group.key) !== group) return; // replaced by a reload
    // Inside a mute time interval (or outside the active ones), as Alertmanager's time-interval
    // stages: nothing is sent and nothing logged, so an alert that outlives the window is news at
    // the first flush after it, and one that fired and resolved within it is never heard of. One
    // difference: an alert told before the window that resolves inside it gets its resolved
    // notice after the window (Alertmanager drops it with the muted flush), so no page is left open.
    const held = heldBy(group.route.muteTimeIntervals, group.route.activeTimeIntervals, this.options.now());
    if (held) {
      this.options.log.debug({ group: group.key, held }, 'Notifications held by a time interval');
      this.schedule(group, group.route.groupIntervalMs);
      return;
    }
    group.flushed = true;
    let queued = false;
    try {
      const receiver = this.config.receivers.get(group.route.receiver);
      for (const integration of receiver?.integrations ?? []) {
        if (integration.disabled) continue;
        queued = this.flushTo(integration, group) || queued;
      }
      for (const [fingerprint, entry] of group.alerts) if (entry.gone) group.alerts.delete(fingerprint);
    } catch (error) {
      // Nothing was committed for the integration that failed: the next flush decides again.
      this.options.onFlushError();
      this.options.log.error(
        { err: error, group: group.key },
        'Could not queue notifications; retrying at the next flush',
      );
    }
    if (queued) this.options.onQueued();
    if (group.alerts.size === 0) {
      this.groups.delete(group.key);
      return;
    }
    this.schedule(group, group.route.groupIntervalMs);
  }

  /** Decides, and commits, what one integration hears at this flush. Returns whether it queued one. */
  private flushTo(integration: Integration, group: Group): boolean {
    const now = this.options.now();
    const entry = this.options.store.entry(integration.id, group.key);
    const told = toldFirings(entry);
    const active: Alert[] = [];
    const mutedButTold: string[] = [];
    const resolved: Alert[] = [];
    for (const { alert, gone } of group.alerts.values()) {
      if (alert.labels[INTEGRATION_LABEL] === integration.id) continue;
      if (alert.state === 'firing' && !gone) {
        if (this.options.mutes.mutingOf(alert) === undefined) active.push(alert);
        else if (told.has(alert.fingerprint)) mutedButTold.push(told.get(alert.fingerprint)!.written);
      } else if (told.has(alert.fingerprint)) {
        resolved.push(
          gone && alert.state !== 'resolved' ? { ...alert, state: 'resolved', resolvedAt: now } : alert,
        );
      }
    }
    // Fired again since the last notification (resolved and re-fired between flushes, or while
    // prismwatch was down): new to the integration even though its fingerprint was told before.
    // Judged by the firing time the log recorded for it, not by when the log was written: an
    // evaluation is stamped with its slot's time (rule-loop.ts), up to half an interval ahead of
    // the clock, so a firing told at once looked newer than its notice and went out a second
    // time at the next flush (the full-disk test caught it on a loaded machine).
    const sentAt = entry?.sentAt ?? Number.NEGATIVE_INFINITY;
    const fresh = active.filter((alert) => {
      const firedAt = alert.firedAt ?? alert.activeAt;
      const earlier = told.get(alert.fingerprint);
      if (!earlier) return true;
      return firedAt > (earlier.firedAt ?? sentAt);
    });
    let reason: NotificationReason | undefined;
    if (fresh.length > 0) reason = entry && entry.firing.length > 0 ? 'new_alerts' : 'first';
    else if (resolved.length > 0) reason = 'resolved';
    else if (active.length > 0 && entry && now - entry.sentAt >= group.route.repeatIntervalMs)
      reason = 'repeat';
    if (!reason) return false;

    const firing = active.map((alert) => `${alert.fingerprint}@${alert.firedAt ?? alert.activeAt}`);
    const next: NflogEntry = {
      firing: [...firing, ...mutedButTold],
      resolved: resolved.map((alert) => alert.fingerprint),
      sentAt: now,
      repeatSeq: reason === 'repeat' ? (entry?.repeatSeq ?? 0) + 1 : 0,
    };
    const listed = integration.sendResolved ? [...active, ...resolved] : active;
    if (listed.length === 0) {
      // send_resolved: false and only resolutions: the log moves on, nobody is told (as Alertmanager).
      this.options.store.commit(integration.id, group.key, next);
      return false;
    }
    const status = active.length > 0 ? 'firing' : 'resolved';
    const notification = this.notification(integration, group, status, reason, listed, next, now);
    this.options.store.commit(integration.id, group.key, next, notification);
    return true;
  }

  private notification(
    integration: Integration,
    group: Group,
    status: 'firing' | 'resolved',
    reason: NotificationReason,
    alerts: readonly Alert[],
    entry: NflogEntry,
    now: number,
  ): Notification {
    const externalURL = this.config.externalUrl ?? this.options.baseUrl();
    const notified = alerts.map((alert): NotifiedAlert => {
      return {
        status: alert.state === 'firing' ? 'firing' : 'resolved',
        labels: alert.labels,
        annotations: sentAnnotations(alert.annotations, externalURL),
        startsAt: new Date(alert.firedAt ?? alert.activeAt).toISOString(),
        endsAt: alert.state === 'firing' ? ZERO_TIME : new Date(alert.resolvedAt ?? now).toISOString(),
        ...alertLinks(externalURL, alert),
        fingerprint: alert.fingerprint,
        value: Number.isFinite(alert.value) ? alert.value : 0,
        ...(alert.threshold ? { threshold: alert.threshold } : {}),
        ...(alert.firedAt ? { firedAt: new Date(alert.firedAt).toISOString() } : {}),
        ...incidentFields(alert, now),
      };
    });
    return {
      receiver: integration.receiver,
      integration: integration.id,
      groupKey: group.key,
      status,
      reason,
      groupLabels: group.labels,
      commonLabels: common(alerts.map((alert) => alert.labels)),
      commonAnnotations: common(alerts.map((alert) => sentAnnotations(alert.annotations, externalURL))),
      externalURL,
      ...(this.config.grafanaUrl ? { grafanaURL: this.config.grafanaUrl } : {}),
      alerts: notified,
      idempotencyKey: idempotencyKey({
        groupKey: group.key,
        status,
        alerts: notified,
        repeatSeq: entry.repeatSeq,
      }),
      createdAt: new Date(now).toISOString(),
    };
  }
}
