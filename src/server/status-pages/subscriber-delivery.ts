/**
 * Sends what subscribers are owed (state/subscribers.ts): mail through the page's SMTP settings,
 * webhooks as signed JSON (the same `X-Prismwatch-Signature` scheme as webhook receivers, under
 * the subscriber's own secret), each with the notice's id as its idempotency key. Only the
 * instance that leads sends. A failure is retried with the receivers' backoff for a day, then
 * left as failed; a refusal that will not change (a 4xx, an address the server rejects) fails at
 * once. Every message carries its unsubscribe link (and List-Unsubscribe for mail clients).
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { backoffDelayMs } from '../../notify/delivery/backoff.js';
import { DeliveryError } from '../../notify/delivery/delivery-error.js';
import { classifySmtpError, EmailSender } from '../../notify/receivers/email/sender.js';
import { classifyStatus } from '../../notify/receivers/http-errors.js';
import { Poster } from '../../notify/receivers/json-post.js';
import { signature } from '../../notify/receivers/webhook/sender.js';
import { incidentStateWords } from '../../state/status-incidents.js';
import type { SubscriberNotice, Subscribers } from '../../state/subscribers.js';
import { USER_AGENT } from '../../version.js';
import type { StatusPageSpec } from './page-spec.js';
import { subscriberToken, subscriberUrl } from './subscriber-links.js';

/** What a notice says, stored when it is queued (the text of an update does not change). */
export type SubscriberEvent =
  | { readonly type: 'confirm' }
  | {
      readonly type: 'incident_update';
      readonly incident: {
        readonly id: string;
        readonly title: string;
        readonly impact: string;
        readonly components: readonly string[];
      };
      readonly update: {
        readonly id: string;
        readonly state: string;
        readonly body: string;
        readonly at: number;
      };
    }
  | {
      readonly type: 'maintenance';
      readonly maintenance: {
        readonly id: string;
        readonly startsAt: number;
        readonly endsAt: number;
        readonly comment: string;
        readonly components: readonly string[];
      };
    };

const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
const BATCH = 20;
const WEBHOOK_TIMEOUT_MS = 10_000;

export interface SubscriberDeliveryOptions {
  readonly subscribers: Subscribers;
  readonly pages: () => readonly StatusPageSpec[];
  readonly leading: () => boolean;
  /** The key links are signed with (made on first use by the leader). */
  readonly linkKey: () => Buffer | undefined;
  /** Where people reach this prismwatch (links in messages). */
  readonly baseUrl: () => string;
  readonly registry: Registry;
  readonly log: Logger;
  readonly now: () => number;
}

export class SubscriberDelivery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly senders = new WeakMap<object, EmailSender>();
  private readonly poster = new Poster(WEBHOOK_TIMEOUT_MS);
  private readonly sent: Counter<'kind' | 'outcome'>;
  private readonly queued: Gauge;

  constructor(private readonly options: SubscriberDeliveryOptions) {
    this.sent = new Counter({
      name: 'prismwatch_subscriber_notices_total',
      help: "Status page subscribers' notices by kind (email, webhook) and outcome (delivered, retried, failed).",
      labelNames: ['kind', 'outcome'],
      registers: [options.registry],
    });
    this.queued = new Gauge({
      name: 'prismwatch_subscriber_notices_queued',
      help: 'Notices owed to status page subscribers and not yet delivered.',
      registers: [options.registry],
      collect: () => {
        try {
          this.queued.set(options.subscribers.depth());
        } catch {
          // The store is unreadable now: the gauge keeps its last value.
        }
      },
    });
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, 1_000);
      this.timer.unref?.();
    };
    tick();
  }

  /** Looks at the queue now (after something was queued). */
  kick(): void {
    if (this.running || this.stopped || !this.options.leading()) return;
    // No page takes subscribers (the usual case): no queue to read every second. Notices left
    // from a page whose subscriptions a reload removed wait for them to come back.
    if (!this.options.pages().some((page) => page.subscriptions)) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.poster.close();
  }

  private async drain(): Promise<void> {
    for (;;) {
      let due: SubscriberNotice[];
      try {
        due = this.options.subscribers.due(BATCH);
      } catch (error) {
        this.options.log.warn({ err: error }, 'Could not read the subscriber queue');
        return;
      }
      if (due.length === 0 || this.stopped) return;
      for (const notice of due) await this.deliver(notice);
    }
  }

  private async deliver(notice: SubscriberNotice): Promise<void> {
    const { subscribers, now } = this.options;
    const kind = notice.subscriber.kind;
    try {
      const page = this.options.pages().find((candidate) => candidate.slug === notice.subscriber.page);
      if (!page) throw new DeliveryError('not_configured', 'the status page is no longer configured', false);
      if (kind === 'email') await this.sendMail(page, notice);
      else await this.sendWebhook(page, notice);
      subscribers.delivered(notice.id);
      this.sent.inc({ kind, outcome: 'delivered' });
    } catch (error) {
      const failure = kind === 'email' ? classifySmtpError(error) : toDeliveryError(error);
      const attempts = notice.attempts + 1;
      if (failure.retryable && now() - notice.createdAt < GIVE_UP_AFTER_MS) {
        subscribers.retry(notice.id, now() + backoffDelayMs(attempts), failure.message);
        this.sent.inc({ kind, outcome: 'retried' });
      } else {
        subscribers.failed(notice.id, failure.message);
        this.sent.inc({ kind, outcome: 'failed' });
        this.options.log.warn(
          { page: notice.subscriber.page, kind, notice: notice.id, reason: failure.message },
          'A status page subscriber could not be told, for good',
        );
      }
    }
  }

  private link(page: StatusPageSpec, notice: SubscriberNotice, purpose: 'confirm' | 'unsubscribe'): string {
    const key = this.options.linkKey();
    if (!key) throw new DeliveryError('internal', 'the link key is not in the store yet', true);
    const token = subscriberToken(purpose, notice.subscriber.id, page.slug, key, this.options.now());
    return subscriberUrl(this.options.baseUrl(), page.slug, purpose, token);
  }

  private async sendMail(page: StatusPageSpec, notice: SubscriberNotice): Promise<void> {
    const settings = page.subscriptions?.email;
    if (!settings) throw new DeliveryError('not_configured', 'the status page no longer sends mail', false);
    let sender = this.senders.get(settings);
    if (!sender) {
      sender = new EmailSender(settings);
      this.senders.set(settings, sender);
    }
    const event = notice.payload as SubscriberEvent;
    const unsubscribe = this.link(page, notice, 'unsubscribe');
    const pageUrl = `${this.options.baseUrl().replace(/\/+$/, '')}/status/${page.slug}`;
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const message =
      event.type === 'confirm'
        ? {
            subject: `Confirm your subscription to ${page.title}`,
            text: `Someone (we hope you) asked to hear about incidents and maintenance on ${page.title} at this address.\n\nConfirm: ${this.link(page, notice, 'confirm')}\n\nIf it was not you, ignore this message: nothing more will come.\n`,
          }
        : event.type === 'maintenance'
          ? {
              subject: `[${page.title}] Maintenance: ${event.maintenance.components.join(', ')}`,
              text: `Planned maintenance of ${event.maintenance.components.join(', ')}\nFrom ${iso(event.maintenance.startsAt)} to ${iso(event.maintenance.endsAt)}\n\n${event.maintenance.comment}\n\n${pageUrl}\n\nUnsubscribe: ${unsubscribe}\n`,
            }
          : {
              subject: `[${page.title}] ${incidentStateWords(event.update.state)}: ${event.incident.title}`,
              text: `${event.incident.title}\n${incidentStateWords(event.update.state)} at ${new Date(event.update.at).toISOString()}\nAffects: ${event.incident.components.join(', ')}\n\n${event.update.body}\n\n${pageUrl}#incident-${event.incident.id}\n\nUnsubscribe: ${unsubscribe}\n`,
            };
    await sender.sendMessage({
      to: [notice.subscriber.address],
      ...message,
      key: notice.id,
      headers: {
        ...(event.type === 'confirm'
          ? {}
          : {
              'List-Unsubscribe': `<${unsubscribe}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            }),
      },
    });
  }

  private async sendWebhook(page: StatusPageSpec, notice: SubscriberNotice): Promise<void> {
    const event = notice.payload as SubscriberEvent;
    const body = JSON.stringify({
      version: '1',
      page: { slug: page.slug, title: page.title },
      ...event,
      unsubscribeURL: this.link(page, notice, 'unsubscribe'),
    });
    const now = this.options.now();
    const answer = await this.poster.post(
      notice.subscriber.address,
      body,
      {
        'user-agent': USER_AGENT,
        'idempotency-key': notice.id,
        'x-prismwatch-signature': signature(notice.subscriber.secret, Math.floor(now / 1000), body),
      },
      now,
    );
    const failure = classifyStatus(answer.status, answer.retryAfterMs);
    if (failure) throw failure;
  }
}

/** A webhook's failure in words that never carry its URL (a subscriber's URL may hold a secret). */
function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const code = (error as { code?: unknown })?.code;
  return new DeliveryError(
    'network',
    `the webhook could not be reached${typeof code === 'string' ? ` (${code})` : ''}`,
    true,
  );
}
