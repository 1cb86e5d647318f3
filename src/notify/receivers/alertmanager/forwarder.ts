/**
 * The `alertmanager` integration: posts alerts to Alertmanager's /api/v2/alerts the way Prometheus
 * does (rules/manager.go SendAlerts, notifier/), so a cluster of Alertmanagers can take over
 * grouping, dedup and HA: active alerts are re-sent every resend_interval with
 * endsAt = now + 4 × max(evaluation interval, resend interval), so Alertmanager resolves them by
 * itself if prismwatch goes away; resolved ones are sent with endsAt = their resolution time for
 * as long as the evaluator keeps them (15 min). Every URL gets every post (no load balancing).
 * Silences and inhibition are Alertmanager's business on this path; alerts go unmuted.
 */

import type { Logger } from 'pino';
import { request } from 'undici';
import type { Alert } from '../../../model/alert.js';
import { USER_AGENT } from '../../../version.js';
import type { ForwardTarget, RouteNode } from '../../config/model.js';
import { alertLinks, sentAnnotations } from '../../dispatch/links.js';
import { annotationsWithEvidence } from '../../dispatch/notification.js';
import type { NotifyMetrics } from '../../notify-metrics.js';
import { matchRoutes } from '../../routing/route.js';

interface TargetState {
  lastSentAt: number;
  lastStates: Map<string, string>;
  busy: boolean;
}

export class AlertmanagerForwarder {
  private targets: readonly ForwardTarget[] = [];
  private route: RouteNode | undefined;
  private readonly state = new Map<string, TargetState>();

  constructor(
    private readonly metrics: NotifyMetrics,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  setTargets(targets: readonly ForwardTarget[], route: RouteNode): void {
    this.targets = targets.filter((target) => !target.disabled);
    this.route = route;
    for (const id of [...this.state.keys()])
      if (!this.targets.some((target) => target.id === id)) this.state.delete(id);
  }

  /** After each evaluation: posts when an alert changed state or the resend interval has passed. */
  update(alerts: readonly Alert[], evaluationIntervalMs: number, externalUrl: string): void {
    if (!this.route || this.targets.length === 0) return;
    const now = this.now();
    for (const target of this.targets) {
      const selected = alerts.filter(
        (alert) =>
          alert.state !== 'pending' &&
          matchRoutes(this.route!, alert.labels).some((route) => route.receiver === target.receiver),
      );
      let state = this.state.get(target.id);
      if (!state) {
        state = { lastSentAt: Number.NEGATIVE_INFINITY, lastStates: new Map(), busy: false };
        this.state.set(target.id, state);
      }
      const states = new Map(selected.map((alert) => [alert.fingerprint, alert.state]));
      const changed =
        states.size !== state.lastStates.size ||
        [...states].some(([fingerprint, alertState]) => state!.lastStates.get(fingerprint) !== alertState);
      if (selected.length === 0 || state.busy) continue;
      if (!changed && now - state.lastSentAt < target.resendIntervalMs) continue;
      const validFor = 4 * Math.max(evaluationIntervalMs, target.resendIntervalMs);
      const body = JSON.stringify(
        selected.map((alert) => ({
          labels: alert.labels,
          annotations: annotationsWithEvidence(sentAnnotations(alert.annotations, externalUrl), alert),
          startsAt: new Date(alert.firedAt ?? alert.activeAt).toISOString(),
          endsAt: new Date(
            alert.state === 'resolved' ? (alert.resolvedAt ?? now) : now + validFor,
          ).toISOString(),
          generatorURL: alertLinks(externalUrl, alert).generatorURL,
        })),
      );
      state.busy = true;
      state.lastSentAt = now;
      state.lastStates = states;
      void this.post(target, body, selected.length).finally(() => {
        state.busy = false;
      });
    }
  }

  private async post(target: ForwardTarget, body: string, count: number): Promise<void> {
    await Promise.all(
      target.urls.map(async (url, index) => {
        const labels = { receiver: target.receiver, url_index: String(index) };
        try {
          const response = await request(`${url.replace(/\/+$/, '')}/api/v2/alerts`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
            headersTimeout: target.timeoutMs,
            bodyTimeout: target.timeoutMs,
            signal: AbortSignal.timeout(target.timeoutMs),
          });
          await response.body.dump();
          if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
          this.metrics.alertmanagerSent.inc(labels, count);
        } catch (error) {
          this.metrics.alertmanagerFailed.inc(labels);
          const err = error as { code?: string; name?: string; message?: string };
          this.log.warn(
            {
              receiver: target.receiver,
              url_index: index,
              error: err.code ?? err.name ?? 'error',
              detail: /^HTTP \d+$/.test(err.message ?? '') ? err.message : undefined,
            },
            'Posting alerts to Alertmanager failed; the next resend covers it',
          );
        }
      }),
    );
  }
}
