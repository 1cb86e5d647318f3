/** Routing and receivers after validation: what the dispatcher and the integrations read. */
import type { Matcher } from '../../model/matchers.js';
import type { SilenceSpec } from '../../model/silence.js';
import type { InhibitRule } from '../../muting/inhibit.js';
import type { TimeInterval } from '../../muting/time-intervals.js';

export interface RouteNode {
  /** Alertmanager-style path of matchers from the root, e.g. `{}/{severity="critical"}`; part of group keys. */
  readonly id: string;
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  /** Label names to group by; `all` groups by every label ("..."). */
  readonly groupBy: readonly string[] | 'all';
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  /** A group whose alerts have all resolved flushes at once, not at its next group_interval. */
  readonly flushOnResolve: boolean;
  /** No notifications while inside any of these (time-intervals.ts); this route's own, not inherited. */
  readonly muteTimeIntervals: readonly TimeInterval[];
  /** When set, notifications only while inside one of these. */
  readonly activeTimeIntervals: readonly TimeInterval[];
  /**
   * Escalation steps, in order of `afterMs`: a firing alert not acknowledged `afterMs` after this
   * route's receiver was first told of it is sent to the step's receiver too. This route's own.
   */
  readonly escalate: readonly EscalationStep[];
  readonly routes: readonly RouteNode[];
}

export interface EscalationStep {
  readonly afterMs: number;
  readonly receiver: string;
}

export interface TlsSettings {
  readonly caFile?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
}

/** What every integration has; each type adds its own fields (notify/receivers/<type>/). */
export interface Integration {
  /** The receiver type (the RECEIVERS table's key). */
  readonly type: string;
  /** `receiver/type/index`: the unit of dedup, outbox order and retry state. */
  readonly id: string;
  readonly receiver: string;
  readonly sendResolved: boolean;
  readonly timeoutMs: number;
  /** Why it sends nothing (an empty URL or host), or undefined when it is on. */
  readonly disabled?: string;
}

/** Where a forwarding type (Alertmanager) posts alerts; see receivers/definition.ts. */
export interface ForwardTarget {
  readonly id: string;
  readonly type: string;
  readonly receiver: string;
  readonly urls: readonly string[];
  readonly timeoutMs: number;
  readonly resendIntervalMs: number;
  readonly disabled?: string;
}

export interface Receiver {
  readonly name: string;
  /** Queued integrations: the dispatcher groups for them, delivery sends through the outbox. */
  readonly integrations: readonly Integration[];
  /** Forwarding targets (Alertmanager): every alert routed here is posted and re-sent. */
  readonly forwards: readonly ForwardTarget[];
}

/** A receiver's integrations of every type, queued and forwarding (for listing, not sending). */
export function everyIntegration(receiver: Receiver | undefined): Array<Integration | ForwardTarget> {
  return receiver ? [...receiver.integrations, ...receiver.forwards] : [];
}

export interface NotifyConfig {
  readonly route: RouteNode;
  readonly receivers: ReadonlyMap<string, Receiver>;
  readonly inhibitRules: readonly InhibitRule[];
  readonly silences: readonly SilenceSpec[];
  /** Named time intervals, for routes and (by name) for the API. */
  readonly timeIntervals: ReadonlyMap<string, TimeInterval>;
  readonly externalUrl?: string;
  readonly grafanaUrl?: string;
  readonly notificationsFailingAfterMs: number;
  /** Acknowledge links in firing notifications, and how long each stays good. */
  readonly acknowledge: { readonly links: boolean; readonly linkTtlMs: number };
  /** Whether the always-firing Watchdog alert exists. */
  readonly watchdog: boolean;
  /** Where to report that prismwatch is alive, and how often. */
  readonly heartbeat?: { readonly url: string; readonly intervalMs: number; readonly timeoutMs: number };
}

export type { SilenceSpec } from '../../model/silence.js';
export type { InhibitRule } from '../../muting/inhibit.js';
