/**
 * Drains the outbox. Per integration and group, notifications go out one at a time and in order;
 * different groups and integrations proceed independently, so one receiver that is down never
 * holds up another (Alertmanager's TestRetry). A failed attempt is rescheduled with backoff (or the
 * receiver's Retry-After) and the schedule is persisted with the row; a final failure is recorded
 * and logged. Attempts never run on the evaluation path.
 */
import type { Logger } from 'pino';
import type { OutboxRow } from '../../state/notification-store.js';
import type { Integration } from '../config/model.js';
import type { NotifyMetrics } from '../notify-metrics.js';
import type { Sender } from '../receivers/definition.js';
import { receiverTypeOf } from '../receivers/index.js';
import { backoffDelayMs } from './backoff.js';
import { DeliveryError, unexpectedDeliveryError } from './delivery-error.js';
import type { NotificationJournal } from './journal.js';

/** Retry-After beyond this is capped: a receiver cannot park our alerts for a day. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Parallel attempts per integration (each for a different group). */
const MAX_IN_FLIGHT_PER_INTEGRATION = 4;
/** A row another instance may be sending (or that waits for the database) is looked at this often. */
const UNCLAIMED_RETRY_MS = 2_000;

/** The sender of an integration, from its type's definition. */
function createSender(integration: Integration, log: Logger): Sender {
  const type = receiverTypeOf(integration.type);
  if (!type)
    throw new Error(`no receiver type "${integration.type}" (config validation admits only the table's)`);
  return type.send(integration, log);
}

/** Any error from a send, as its type reads it; a DeliveryError stays as it is. */
function classify(error: unknown, integration: Integration): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const type = receiverTypeOf(integration.type);
  try {
    if (type) return type.classify(error, integration);
  } catch {
    // A classifier that throws is a bug; the attempt still counts as failed and is retried.
  }
  return unexpectedDeliveryError(error);
}

export interface IntegrationHealth {
  /** Epoch ms of the first failed attempt since the last success. */
  readonly failingSince: number;
  readonly lastReason: string;
  /** The last failure was final (a rejection not retried): nothing is queued for it. */
  readonly lastFinal?: boolean;
}

export class Delivery {
  private readonly targets = new Map<string, { integration: Integration; key: string; sender: Sender }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly health = new Map<string, IntegrationHealth>();
  private readonly warnedOrphans = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly store: Pick<
      NotificationJournal,
      'heads' | 'markDelivered' | 'markRetry' | 'markFailed' | 'depth'
    >,
    private readonly metrics: NotifyMetrics,
    private readonly log: Logger,
    private readonly now: () => number,
    /**
     * Asked before each attempt, when instances share state: whether this instance may send the
     * row now (it leads, and the database recorded the claim under its fencing token). A row not
     * claimed stays queued for whoever leads.
     */
    private readonly claim?: (row: OutboxRow) => Promise<boolean>,
  ) {}

  /** Swaps in the configured integrations; unchanged ones keep their sender (and connections). */
  setIntegrations(integrations: readonly Integration[]): void {
    const next = new Map<string, Integration>(
      integrations.map((integration) => [integration.id, integration]),
    );
    for (const [id, target] of this.targets) {
      const replacement = next.get(id);
      if (!replacement || JSON.stringify(replacement) !== target.key) {
        void target.sender.close();
        this.targets.delete(id);
        // A changed integration starts with a clean record: after a final rejection (a bad key,
        // say) nothing is queued, so NotificationsFailing would wait for the next alert to clear.
        if (this.health.get(id)?.lastFinal) this.health.delete(id);
      }
    }
    for (const integration of next.values()) {
      if (this.targets.has(integration.id) || integration.disabled) continue;
      this.targets.set(integration.id, {
        integration,
        key: JSON.stringify(integration),
        sender: createSender(integration, this.log),
      });
    }
    for (const id of [...this.health.keys()]) if (!next.has(id)) this.health.delete(id);
    this.warnedOrphans.clear();
    this.kick();
  }

  /** Looks at the outbox soon (coalesced). */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  failing(): ReadonlyMap<string, IntegrationHealth> {
    return this.health;
  }

  private pump(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    let heads: OutboxRow[];
    try {
      heads = this.store.heads();
    } catch (error) {
      this.log.error({ err: error }, 'Could not read the notification outbox; trying again in 5 s');
      this.wakeAt(this.now() + 5_000);
      return;
    }
    const now = this.now();
    let wake = Number.POSITIVE_INFINITY;
    const running = new Map<string, number>();
    for (const key of this.inFlight.keys()) {
      const integration = key.slice(0, key.indexOf('\u0000'));
      running.set(integration, (running.get(integration) ?? 0) + 1);
    }
    for (const row of heads) {
      const key = `${row.integration}\u0000${row.groupKey}`;
      if (this.inFlight.has(key)) continue;
      const target = this.targets.get(row.integration);
      if (!target) {
        if (!this.warnedOrphans.has(row.integration)) {
          this.warnedOrphans.add(row.integration);
          this.log.warn(
            { integration: row.integration },
            'Queued notifications for an integration that is not configured (or switched off); they stay queued until it is back',
          );
        }
        continue;
      }
      if (row.nextAttemptAt > now) {
        wake = Math.min(wake, row.nextAttemptAt);
        continue;
      }
      const count = running.get(row.integration) ?? 0;
      if (count >= MAX_IN_FLIGHT_PER_INTEGRATION) continue; // a finishing attempt kicks again
      running.set(row.integration, count + 1);
      const attempt = this.attempt(row, target.integration, target.sender)
        .catch((error: unknown) => {
          // A bug, not a receiver's failure: the row stays queued and is tried again.
          this.log.error(
            { err: error, integration: row.integration },
            'A delivery attempt failed unexpectedly',
          );
          return true;
        })
        .then((sent) => {
          this.inFlight.delete(key);
          // Not claimed: another instance leads, or the database is away. Looked at again later,
          // not at once (leadership changes kick delivery themselves).
          if (sent) this.kick();
          else this.wakeAt(this.now() + UNCLAIMED_RETRY_MS);
        });
      this.inFlight.set(key, attempt);
    }
    if (Number.isFinite(wake)) this.wakeAt(wake);
  }

  private wakeAt(at: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), Math.max(0, at - this.now()));
    this.timer.unref?.();
  }

  /** One attempt; false when the row was not claimed (and so not sent). */
  private async attempt(row: OutboxRow, integration: Integration, sender: Sender): Promise<boolean> {
    const labels = { receiver: integration.receiver, integration: integration.id };
    try {
      if (this.claim && !(await this.claim(row))) return false;
    } catch (error) {
      this.log.warn(
        { err: error, integration: integration.id },
        'Could not claim a notification; not sent now',
      );
      return false;
    }
    try {
      await sender.send(row.notification, this.now());
    } catch (error) {
      this.recordFailure(row, integration, classify(error, integration));
      return true;
    }
    const now = this.now();
    this.metrics.sent.inc(labels);
    this.metrics.latency.observe({ integration: integration.id }, Math.max(0, now - row.createdAt) / 1000);
    if (this.health.delete(integration.id))
      this.log.info({ integration: integration.id }, 'Notifications are being delivered again');
    // The journal never refuses: on a full disk the record waits in memory (journal.ts), so a
    // delivered notification is not sent again.
    this.store.markDelivered(row.id, now);
    return true;
  }

  private recordFailure(row: OutboxRow, integration: Integration, failure: DeliveryError): void {
    const now = this.now();
    this.metrics.failed.inc({
      receiver: integration.receiver,
      integration: integration.id,
      reason: failure.reason,
    });
    // The reason with its message (built from status codes and the vendor's own words, never a
    // URL or key), so NotificationsFailing says "http_4xx (Slack rejected …: invalid_payload)".
    const lastReason = `${failure.reason} (${failure.message})`;
    const lastFinal = !failure.retryable;
    const failingSince = this.health.get(integration.id)?.failingSince ?? now;
    this.health.set(integration.id, { failingSince, lastReason, lastFinal });
    const context = {
      integration: integration.id,
      group: row.groupKey,
      reason: failure.reason,
      error: failure.message,
      attempts: row.attempts + 1,
    };
    if (!failure.retryable) {
      this.store.markFailed(row.id, now, failure.message);
      this.log.error(context, 'Notification rejected by the receiver; not retried');
      return;
    }
    const delay =
      failure.retryAfterMs !== undefined
        ? Math.min(MAX_RETRY_AFTER_MS, failure.retryAfterMs)
        : backoffDelayMs(row.attempts + 1);
    this.store.markRetry(row.id, now + delay, failure.message);
    this.log.warn({ ...context, retry_in_ms: delay }, 'Notification attempt failed; will retry');
  }

  /** Outbox depth and age per integration, for /metrics. */
  refreshMetrics(): void {
    const now = this.now();
    this.metrics.outboxDepth.reset();
    this.metrics.outboxOldest.reset();
    for (const id of this.targets.keys()) {
      this.metrics.outboxDepth.set({ integration: id }, 0);
      this.metrics.outboxOldest.set({ integration: id }, 0);
    }
    for (const row of this.store.depth()) {
      this.metrics.outboxDepth.set({ integration: row.integration }, row.queued);
      this.metrics.outboxOldest.set(
        { integration: row.integration },
        Math.max(0, now - row.oldestCreatedAt) / 1000,
      );
    }
  }

  /** Stops starting attempts; waits for those in flight up to `graceMs`; closes connections. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    await Promise.allSettled([...this.targets.values()].map((target) => target.sender.close()));
  }
}
