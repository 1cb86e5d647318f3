/**
 * A test of the channels (`prismwatch notify test [RECEIVER]`, `verify --notify-test`): a clearly marked test notification through every
 * integration of a receiver (or of all), then its resolution where the integration sends those
 * (so a PagerDuty or Opsgenie test incident closes itself). Waits for each answer and prints
 * integration → accepted / rejected with the reason; exit 1 if any was rejected. Nothing is queued:
 * this is the one place that talks to receivers directly, once.
 */
import type { Logger } from 'pino';
import { PrismwatchError } from '../../errors.js';
import type { Notification } from '../../model/notification.js';
import type { Integration, NotifyConfig } from '../config/model.js';
import { receiverTypeOf } from '../receivers/index.js';
import { unexpectedDeliveryError } from './delivery-error.js';

export interface NotifyTestRow {
  readonly integration: string;
  readonly type: string;
  readonly outcome: 'accepted' | 'rejected' | 'switched off';
  readonly detail: string;
}

const TEST_ALERT = 'PrismwatchNotificationTest';

function testNotification(
  integration: Integration,
  status: 'firing' | 'resolved',
  baseUrl: string,
  runId: string,
): Notification {
  const now = new Date().toISOString();
  const labels = { alertname: TEST_ALERT, severity: 'info', probe: 'prismwatch' };
  return {
    receiver: integration.receiver,
    integration: integration.id,
    // One group per run, so a paging service opens (and closes) an incident of its own.
    groupKey: `{}:{alertname="${TEST_ALERT}", run="${runId}"}`,
    status,
    reason: status === 'firing' ? 'first' : 'resolved',
    groupLabels: { alertname: TEST_ALERT },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: baseUrl,
    alerts: [
      {
        status,
        labels,
        annotations: {
          summary: 'TEST: prismwatch notify test. Nothing is wrong; this checks the channel works.',
        },
        startsAt: now,
        endsAt: status === 'resolved' ? now : '0001-01-01T00:00:00Z',
        generatorURL: baseUrl,
        fingerprint: runId,
        value: 0,
        evidence: 'a test sent by prismwatch notify test',
      },
    ],
    idempotencyKey: `notify-test-${runId}-${integration.id}-${status}`,
    createdAt: now,
  };
}

/** Attempts per test notification, and the waits between them (delivery's own backoff is longer). */
const TEST_ATTEMPTS = 3;
const TEST_BACKOFF_MS = 1_000;
const MAX_TEST_WAIT_MS = 10_000;

async function tryOne(
  integration: Integration,
  log: Logger,
  baseUrl: string,
  runId: string,
): Promise<NotifyTestRow> {
  const row = { integration: integration.id, type: integration.type };
  if (integration.disabled) return { ...row, outcome: 'switched off', detail: integration.disabled };
  const type = receiverTypeOf(integration.type);
  if (!type) return { ...row, outcome: 'rejected', detail: `unknown receiver type ${integration.type}` };
  const sender = type.send(integration, log);
  const classify = (error: unknown) => {
    try {
      return type.classify(error, integration);
    } catch {
      return unexpectedDeliveryError(error);
    }
  };
  let attempts = 0;
  try {
    for (const status of integration.sendResolved
      ? (['firing', 'resolved'] as const)
      : (['firing'] as const)) {
      // As delivery would: a retryable answer (429, 5xx, a reset) is tried again, after the
      // receiver's Retry-After when it gives one. One attempt read a passing 429 as "broken".
      for (let attempt = 1; ; attempt++) {
        attempts += 1;
        try {
          await sender.send(testNotification(integration, status, baseUrl, runId), Date.now());
          break;
        } catch (error) {
          const failure = classify(error);
          if (!failure.retryable || attempt >= TEST_ATTEMPTS) throw error;
          const wait = Math.min(MAX_TEST_WAIT_MS, failure.retryAfterMs ?? TEST_BACKOFF_MS * attempt);
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    }
    const sends = integration.sendResolved ? 2 : 1;
    return {
      ...row,
      outcome: 'accepted',
      detail: `${integration.sendResolved ? 'test sent and resolved' : 'test sent'}${attempts > sends ? ` (after ${attempts - sends} retried attempt${attempts - sends === 1 ? '' : 's'})` : ''}`,
    };
  } catch (error) {
    const failure = classify(error);
    const retried = failure.retryable
      ? ` (still failing after ${TEST_ATTEMPTS} attempts)`
      : ' (final: not retried)';
    return { ...row, outcome: 'rejected', detail: `${failure.reason}: ${failure.message}${retried}` };
  } finally {
    await sender.close();
  }
}

/** Every integration of `receiver` (or of all receivers), tried in parallel. */
export async function notifyTest(
  config: { readonly notify: NotifyConfig },
  receiver: string | undefined,
  options: { log: Logger; baseUrl: string },
): Promise<NotifyTestRow[]> {
  const receivers = [...config.notify.receivers.values()].filter(
    (r) => receiver === undefined || r.name === receiver,
  );
  if (receiver !== undefined && receivers.length === 0)
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `no receiver named ${receiver} (there are: ${[...config.notify.receivers.keys()].join(', ')})`,
    );
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const baseUrl = config.notify.externalUrl ?? options.baseUrl;
  return Promise.all(
    receivers.flatMap((r) =>
      r.integrations.map((integration) => tryOne(integration, options.log, baseUrl, runId)),
    ),
  );
}
