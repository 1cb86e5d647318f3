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
 *
 * On-call (prismwatch's own): a firing alert can be acknowledged (notify/ack/). Acknowledged, it
 * is no longer repeated or escalated, and every integration paged about it hears once who took it
 * (except the one whose link was used). A route's `escalate` steps tell another receiver of an
 * alert still unacknowledged that long after the route's receiver was first told; the first-told
 * time is in the log (told.ts), so a restart neither restarts nor forgets an escalation.
 */

import type { Logger } from 'pino';
import { type Alert, incidentId } from '../../model/alert.js';
import { formatLabels } from '../../model/matchers.js';
import type { Notification, NotificationReason, NotifiedAlert } from '../../model/notification.js';
import type { Mutes } from '../../muting/muting.js';
import { heldBy } from '../../muting/time-intervals.js';
import type { Acknowledgement } from '../../state/acknowledgements.js';
import type { NflogEntry } from '../../state/notification-store.js';
import { formatDuration } from '../../util/duration.js';
import { timerDelay } from '../../util/timer.js';
import { acknowledgeUrl, signAckToken } from '../ack/ack-link.js';
import { acknowledgeable } from '../ack/acknowledgeable.js';
import type { EscalationStep, Integration, NotifyConfig, RouteNode } from '../config/model.js';
import type { NotificationJournal } from '../delivery/journal.js';
import { groupLabels, matchRoutes } from '../routing/route.js';
import { alertLinks, sentAnnotations } from './links.js';
import { common, idempotencyKey, ZERO_TIME } from './notification.js';
import { formatTold, parseTold, sameFiring, toldFirings } from './told.js';

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
  /** The next escalation step due, when it falls before the next flush. */
  escalationTimer?: NodeJS.Timeout;
  /** Incidents of the group known to be acknowledged, so each acknowledgement is told at once, once. */
  readonly acksSeen: Set<string>;
  /** Whether its first flush (after group_wait) has happened. */
  flushed: boolean;
}

/** What the dispatcher asks of the acknowledgements (state/acknowledgements.ts). */
export interface AckLookup {
  of(fingerprint: string, firedAt: number): Acknowledgement | undefined;
  /** The key acknowledge links are signed with (made on first use). */
  linkKey(create: boolean): Buffer | undefined;
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
  /** Acknowledgements: what stops repeats and escalation, and signs acknowledge links. */
  readonly acks: AckLookup;
}

const firedAtOf = (alert: Alert): number => alert.firedAt ?? alert.activeAt;

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
          group = {
            key,
            route,
            labels,
            alerts: new Map(),
            timer: undefined,
            acksSeen: new Set(),
            flushed: false,
          };
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
      } else if (group.flushed && this.newlyAcknowledged(group)) {
        // Told now, not at the next group_interval: the others paged should stop at once.
        setTimeout(() => this.tellGroupAcknowledgements(group), 0).unref?.();
      }
    }
  }

  stop(): void {
    for (const group of this.groups.values()) {
      clearTimeout(group.timer);
      clearTimeout(group.escalationTimer);
    }
    this.groups.clear();
  }

  private schedule(group: Group, delayMs: number): void {
    group.timer = setTimeout(() => this.flush(group), timerDelay(delayMs));
    group.timer.unref?.();
  }

  /** Whether an alert of the group was acknowledged since the dispatcher last looked. */
  private newlyAcknowledged(group: Group): boolean {
    let found = false;
    for (const { alert, gone } of group.alerts.values()) {
      if (alert.state !== 'firing' || gone || alert.firedAt === undefined) continue;
      const id = incidentId(alert.fingerprint, alert.firedAt);
      if (group.acksSeen.has(id) || !this.options.acks.of(alert.fingerprint, alert.firedAt)) continue;
      group.acksSeen.add(id);
      found = true;
    }
    return found;
  }

  /** The route's receiver's integrations, then each escalation step's, with the step. */
  private integrationsOf(group: Group): Array<{ integration: Integration; step?: EscalationStep }> {
    const of = (name: string) =>
      (this.config.receivers.get(name)?.integrations ?? []).filter((integration) => !integration.disabled);
    return [
      ...of(group.route.receiver).map((integration) => ({ integration })),
      ...group.route.escalate.flatMap((step) =>
        of(step.receiver).map((integration) => ({ integration, step })),
      ),
    ];
  }

  /** Runs `work`; a store that throws is counted and logged, and the next flush decides again. */
  private guarded(group: Group, work: () => boolean): void {
    let queued = false;
    try {
      queued = work();
    } catch (error) {
      this.options.onFlushError();
      this.options.log.error(
        { err: error, group: group.key },
        'Could not queue notifications; retrying at the next flush',
      );
    }
    if (queued) this.options.onQueued();
  }

  private tellGroupAcknowledgements(group: Group): void {
    if (this.groups.get(group.key) !== group) return;
    this.guarded(group, () => {
      let queued = false;
      for (const { integration } of this.integrationsOf(group))
        queued = this.tellAcknowledgements(integration, group) || queued;
      return queued;
    });
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
    this.guarded(group, () => {
      let queued = false;
      // The route's receiver first: escalation steps count from when it was told, read once
      // after its integrations have committed.
      let firstTold: Map<string, number> | undefined;
      for (const { integration, step } of this.integrationsOf(group)) {
        queued = this.tellAcknowledgements(integration, group) || queued;
        if (step) firstTold ??= this.firstTold(group);
        queued = this.flushTo(integration, group, step && { step, firstTold: firstTold! }) || queued;
      }
      for (const [fingerprint, entry] of group.alerts) if (entry.gone) group.alerts.delete(fingerprint);
      return queued;
    });
    clearTimeout(group.escalationTimer);
    if (group.alerts.size === 0) {
      this.groups.delete(group.key);
      return;
    }
    this.schedule(group, group.route.groupIntervalMs);
    this.scheduleEscalation(group);
  }

  /** Tells the escalation steps that are due, between flushes. */
  private escalate(group: Group): void {
    if (this.groups.get(group.key) !== group) return;
    if (heldBy(group.route.muteTimeIntervals, group.route.activeTimeIntervals, this.options.now())) return;
    this.guarded(group, () => {
      let queued = false;
      const firstTold = this.firstTold(group);
      for (const { integration, step } of this.integrationsOf(group))
        if (step) queued = this.flushTo(integration, group, { step, firstTold }) || queued;
      return queued;
    });
    this.scheduleEscalation(group);
  }

  /**
   * A timer for the earliest escalation step still ahead, so a step is told when it is due rather
   * than at the next flush (group_interval may be longer than the step's delay). A step already
   * due was told by the flush that just ran.
   */
  private scheduleEscalation(group: Group): void {
    clearTimeout(group.escalationTimer);
    group.escalationTimer = undefined;
    if (group.route.escalate.length === 0) return;
    const now = this.options.now();
    const firstTold = this.firstTold(group);
    let next = Number.POSITIVE_INFINITY;
    for (const { alert, gone } of group.alerts.values()) {
      if (alert.state !== 'firing' || gone) continue;
      const told = firstTold.get(alert.fingerprint);
      if (told === undefined || this.options.acks.of(alert.fingerprint, firedAtOf(alert))) continue;
      for (const step of group.route.escalate) {
        const due = told + step.afterMs;
        if (due > now) next = Math.min(next, due);
      }
    }
    if (!Number.isFinite(next)) return;
    group.escalationTimer = setTimeout(() => this.escalate(group), timerDelay(next - now));
    group.escalationTimer.unref?.();
  }

  /**
   * fingerprint → when the route's receiver was first told of the alert's current firing (the
   * earliest of its integrations), from the log.
   */
  private firstTold(group: Group): Map<string, number> {
    const first = new Map<string, number>();
    const receiver = this.config.receivers.get(group.route.receiver);
    const current = new Map(
      [...group.alerts.values()].map(({ alert }) => [alert.fingerprint, firedAtOf(alert)] as const),
    );
    for (const integration of receiver?.integrations ?? []) {
      if (integration.disabled) continue;
      const entry = this.options.store.entry(integration.id, group.key);
      if (!entry) continue;
      for (const written of entry.firing) {
        const [fingerprint, told] = parseTold(written);
        const firedAt = current.get(fingerprint);
        if (firedAt === undefined || !sameFiring(told, firedAt, entry.sentAt)) continue;
        const at = told.toldAt ?? entry.sentAt;
        first.set(fingerprint, Math.min(first.get(fingerprint) ?? at, at));
      }
    }
    return first;
  }

  /**
   * Tells one integration of the acknowledgements of alerts it was paged about and has not heard
   * of, once: the log marks them. The integration whose link was used hears nothing (its people
   * acknowledged), but is marked too. Returns whether a notification was queued.
   */
  private tellAcknowledgements(integration: Integration, group: Group): boolean {
    const entry = this.options.store.entry(integration.id, group.key);
    if (!entry) return false;
    const told = toldFirings(entry);
    const news = new Map<string, { alert: Alert; ack: Acknowledgement }>();
    for (const { alert, gone } of group.alerts.values()) {
      if (alert.state !== 'firing' || gone) continue;
      const earlier = told.get(alert.fingerprint);
      if (!earlier || earlier.ackTold || !sameFiring(earlier, firedAtOf(alert), entry.sentAt)) continue;
      const ack = this.options.acks.of(alert.fingerprint, firedAtOf(alert));
      if (ack) news.set(alert.fingerprint, { alert, ack });
    }
    if (news.size === 0) return false;
    const next: NflogEntry = {
      ...entry,
      firing: entry.firing.map((written) => {
        const [fingerprint, earlier] = parseTold(written);
        const acked = news.get(fingerprint);
        if (!acked) return written;
        return formatTold(fingerprint, firedAtOf(acked.alert), earlier.toldAt ?? entry.sentAt, true);
      }),
    };
    const tell = [...news.values()].filter(({ ack }) => ack.origin !== integration.id);
    if (tell.length === 0) {
      this.options.store.commit(integration.id, group.key, next);
      return false;
    }
    const now = this.options.now();
    const alerts = tell.map(({ alert }) => alert);
    const notification = this.notification(integration, group, 'firing', 'acknowledged', alerts, next, now);
    this.options.store.commit(integration.id, group.key, next, notification);
    return true;
  }

  /**
   * Whether an escalation step is due for the alert: still unacknowledged `afterMs` after the
   * route's receiver was first told of this firing.
   */
  private escalationDue(step: EscalationStep, alert: Alert, firstTold: Map<string, number>): boolean {
    const told = firstTold.get(alert.fingerprint);
    if (told === undefined || this.options.now() < told + step.afterMs) return false;
    return !this.options.acks.of(alert.fingerprint, firedAtOf(alert));
  }

  /**
   * Decides, and commits, what one integration hears at this flush. An escalation step's
   * integration (`escalation`) hears only of the alerts escalated to it. Returns whether it queued one.
   */
  private flushTo(
    integration: Integration,
    group: Group,
    escalation?: { readonly step: EscalationStep; readonly firstTold: Map<string, number> },
  ): boolean {
    const now = this.options.now();
    const entry = this.options.store.entry(integration.id, group.key);
    const told = toldFirings(entry);
    const sentAt = entry?.sentAt ?? Number.NEGATIVE_INFINITY;
    const step = escalation?.step;
    const active: Alert[] = [];
    const mutedButTold: string[] = [];
    const resolved: Alert[] = [];
    for (const { alert, gone } of group.alerts.values()) {
      if (alert.labels[INTEGRATION_LABEL] === integration.id) continue;
      const earlier = told.get(alert.fingerprint);
      if (alert.state === 'firing' && !gone) {
        const known = sameFiring(earlier, firedAtOf(alert), sentAt);
        if (escalation && !known && !this.escalationDue(escalation.step, alert, escalation.firstTold))
          continue;
        if (this.options.mutes.mutingOf(alert) === undefined) active.push(alert);
        else if (earlier) mutedButTold.push(earlier.written);
      } else if (earlier) {
        resolved.push(
          gone && alert.state !== 'resolved' ? { ...alert, state: 'resolved', resolvedAt: now } : alert,
        );
      }
    }
    // Fired again since the last notification (resolved and re-fired between flushes, or while
    // prismwatch was down): new to the integration even though its fingerprint was told before.
    const fresh = active.filter(
      (alert) => !sameFiring(told.get(alert.fingerprint), firedAtOf(alert), sentAt),
    );
    const acked = (alert: Alert) => this.options.acks.of(alert.fingerprint, firedAtOf(alert)) !== undefined;
    let reason: NotificationReason | undefined;
    if (fresh.length > 0)
      reason = step ? 'escalated' : entry && entry.firing.length > 0 ? 'new_alerts' : 'first';
    else if (resolved.length > 0) reason = 'resolved';
    else if (entry && now - entry.sentAt >= group.route.repeatIntervalMs && active.some((a) => !acked(a)))
      // Reminders are for alerts nobody has taken on: an acknowledged one is not repeated.
      reason = 'repeat';
    if (!reason) return false;

    const firing = active.map((alert) => {
      const earlier = told.get(alert.fingerprint);
      const known = sameFiring(earlier, firedAtOf(alert), sentAt);
      return formatTold(
        alert.fingerprint,
        firedAtOf(alert),
        known ? (earlier!.toldAt ?? sentAt) : now,
        // Told of it already acknowledged: the notice shows who, and no second one follows.
        known ? earlier!.ackTold : acked(alert),
      );
    });
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

  /** The acknowledge link of a firing alert nobody has taken on, for this integration. */
  private acknowledgeLink(integration: Integration, alert: Alert, externalURL: string, now: number) {
    const { links, linkTtlMs } = this.config.acknowledge;
    if (!links || !acknowledgeable(alert)) return undefined;
    const key = this.options.acks.linkKey(true);
    if (!key) return undefined;
    const token = signAckToken(
      {
        fingerprint: alert.fingerprint,
        firedAt: firedAtOf(alert),
        integration: integration.id,
        expiresAt: now + linkTtlMs,
      },
      key,
    );
    return acknowledgeUrl(externalURL, token);
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
      const ack =
        alert.state === 'firing' ? this.options.acks.of(alert.fingerprint, firedAtOf(alert)) : undefined;
      const link =
        !ack && alert.state === 'firing'
          ? this.acknowledgeLink(integration, alert, externalURL, now)
          : undefined;
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
        ...(link ? { acknowledgeURL: link } : {}),
        ...(ack
          ? {
              acknowledged: {
                by: ack.by,
                at: new Date(ack.at).toISOString(),
                ...(ack.comment ? { comment: ack.comment } : {}),
              },
            }
          : {}),
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
        // The acknowledgement notice is about the same alerts as the page: its own key, or a
        // receiver that drops repeats of a key would drop it.
        ...(reason === 'acknowledged' ? { variant: 'acknowledged' } : {}),
      }),
      createdAt: new Date(now).toISOString(),
    };
  }
}
