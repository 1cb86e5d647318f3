/**
 * What a receiver type is, as one value: its config block (`<type>_configs` in a receiver), how a
 * block becomes an integration, the sender that delivers to it and how its errors read. The
 * RECEIVERS table (receivers/index.ts) is what the schema, the builder and delivery iterate.
 */
import type { Logger } from 'pino';
import type * as z from 'zod';
import type { Notification } from '../../model/notification.js';
import type { ForwardTarget, Integration } from '../config/model.js';
import type { DeliveryError } from '../delivery/delivery-error.js';

/** Delivers to one integration; holds its connections (an undici Agent, an SMTP transport). */
export interface Sender {
  /** Resolves once the receiver has the notification; throws on failure (classified by the type). */
  send(notification: Notification, now: number): Promise<void>;
  close(): Promise<void>;
}

/** The part of an integration every type shares, derived from where its block is. */
export interface IntegrationPlace {
  /** `receiver/type/index`: the unit of dedup, outbox order and retry state. */
  readonly id: string;
  readonly receiver: string;
}

/** A type whose notifications are queued in the outbox and sent by prismwatch (most of them). */
export interface QueuedReceiverType<Config = unknown, I extends Integration = Integration> {
  /** The integration type: `email` is configured as `email_configs` in a receiver. */
  readonly type: string;
  readonly configSchema: z.ZodObject;
  readonly forwards?: undefined;
  /** A validated config block → the integration the dispatcher and delivery read. */
  readonly build: (config: Config, place: IntegrationPlace) => I;
  /** The sender for one integration; built when it is configured, closed when it goes. */
  readonly send: (integration: I, log: Logger) => Sender;
  /**
   * Any error a send threw → why it failed and whether to retry. Messages never carry URLs,
   * passwords or keys: they are built from status and error codes.
   */
  readonly classify: (error: unknown, integration: I) => DeliveryError;
}

/**
 * A type that forwards alerts to a peer which groups, dedups and notifies by itself (Alertmanager):
 * its alerts skip prismwatch's grouping, muting and outbox, and are re-sent while active instead.
 */
export interface ForwardingReceiverType<Config = unknown> {
  readonly type: string;
  readonly configSchema: z.ZodObject;
  readonly forwards: true;
  readonly build: (config: Config, place: IntegrationPlace) => ForwardTarget;
}

export type ReceiverType = QueuedReceiverType | ForwardingReceiverType;

/** A type defined in its own folder, as the table holds it (configs are opaque across types). */
export function defineReceiver<Config, I extends Integration>(
  type: QueuedReceiverType<Config, I>,
): ReceiverType {
  return type as unknown as ReceiverType;
}

/** A forwarding type defined in its own folder, as the table holds it. */
export function defineForwarder<Config>(type: ForwardingReceiverType<Config>): ReceiverType {
  return type as unknown as ReceiverType;
}

/** The config key of a type's blocks in a receiver. */
export function configKeyOf(type: Pick<ReceiverType, 'type'>): string {
  return `${type.type}_configs`;
}
