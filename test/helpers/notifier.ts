/**
 * A Notifier on a routing config written by the test, with a state store (in memory, or in a
 * directory the test can reopen to play a restart) and alerts the test sets by hand.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Alert, fingerprintOf } from '../../src/model/alert.js';
import { Mutes } from '../../src/muting/muting.js';
import { Notifier } from '../../src/notify/notifier.js';
import { alertLabels } from '../../src/rules/evaluator.js';
import { Acknowledgements } from '../../src/state/acknowledgements.js';
import { StateStore } from '../../src/state/store.js';
import { configDir } from './config-dir.js';
import { type CapturedLog, captureLog } from './log.js';
import { probeSpec, ruleSpec } from './specs.js';

export interface NotifierHarness {
  readonly notifier: Notifier;
  /** The muting stage the notifier asks: silences, maintenance windows, inhibition. */
  readonly mutes: Mutes;
  readonly logs: CapturedLog;
  readonly registry: Registry;
  /** The acknowledgements the notifier reads (as the API and acknowledge links write them). */
  readonly acks: Acknowledgements;
  /** Feeds the alerts as one evaluation would. */
  evaluate(alerts: readonly Alert[]): void;
  stop(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'prismwatch-notify-'));
}

export function routingConfig(yaml: string) {
  const dir = configDir();
  dir.write('routing.yaml', yaml);
  return loadConfig([dir.path], {});
}

export function startNotifier(
  yaml: string,
  options: { dataDir?: string; now?: () => number } = {},
): NotifierHarness {
  const config = routingConfig(yaml);
  const state = new StateStore(options.dataDir);
  const logs = captureLog('debug');
  const registry = new Registry();
  const now = options.now ?? Date.now;
  const mutes = new Mutes({
    silences: state.notifications,
    maintenance: state.maintenance,
    now,
    log: logs.log,
  });
  const acks = new Acknowledgements(state.db, now);
  const notifier = new Notifier(config.notify, {
    acks,
    store: state.notifications,
    mutes,
    registry,
    log: logs.log,
    now,
    baseUrl: () => 'http://prismwatch.test:9797',
    evaluationIntervalMs: 100,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await notifier.stop(200);
    state.close();
  };
  onTestFinished(stop);
  return {
    notifier,
    mutes,
    logs,
    registry,
    acks,
    evaluate: (alerts) => notifier.afterEvaluation(alerts),
    stop,
  };
}

/** An alert as the evaluator would hold it. */
export function alertFor(
  options: {
    alert?: string;
    probe?: string;
    severity?: 'critical' | 'warning';
    state?: 'firing' | 'resolved' | 'pending';
    firedAt?: number;
    value?: number;
  } = {},
): Alert {
  const rule = ruleSpec({
    alert: options.alert ?? 'HighErrorRate',
    severity: options.severity ?? 'critical',
  });
  const labels = alertLabels(rule, probeSpec(options.probe ?? 'api'));
  const firedAt = options.firedAt ?? Date.now() - 1_000;
  const state = options.state ?? 'firing';
  return {
    fingerprint: fingerprintOf(labels),
    rule: rule.alert,
    probe: options.probe ?? 'api',
    labels,
    annotations: {
      summary: `${options.probe ?? 'api'}: 7% of requests failing`,
      description: 'Checklist item',
    },
    threshold: '> 0.05',
    state,
    value: options.value ?? 0.07,
    activeAt: firedAt - 500,
    ...(state === 'pending' ? {} : { firedAt }),
    ...(state === 'resolved' ? { resolvedAt: Date.now() } : {}),
  };
}

export function resolved(alert: Alert): Alert {
  return { ...alert, state: 'resolved', resolvedAt: Date.now() };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
