/**
 * The inboxes of the kinds that are pushed to (heartbeat pings), made from the kinds table: a
 * kind with an `inbox` gets one, over its own namespace of the state store, and the server hands
 * it every request under the kind's path prefix. Nothing outside this file names such a kind.
 */
import type { ProbeSpec } from '../model/probe.js';
import type { InboxAnswer, KindInbox, KindStore } from './definition.js';
import { PROBERS } from './index.js';

const INBOX_KINDS = Object.values(PROBERS).flatMap((prober) =>
  prober.inbox ? [{ kind: prober.kind, inbox: prober.inbox }] : [],
);

/** Path prefixes that kinds receive pushes under ("/ping/"), known before any inbox is made. */
export const PUSH_PREFIXES: readonly string[] = INBOX_KINDS.map(({ inbox }) => inbox.prefix);

export interface PushedRequest {
  readonly method: string;
  /** The whole path, still percent-encoded. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export class Inboxes {
  private readonly byKind = new Map<string, { prefix: string; inbox: KindInbox }>();

  constructor(storeOf: (kind: string) => KindStore, now: () => number) {
    for (const { kind, inbox } of INBOX_KINDS)
      this.byKind.set(kind, {
        prefix: inbox.prefix,
        inbox: inbox.create({ store: storeOf(kind), now, receiving: true }),
      });
  }

  /** The inbox a run of this kind is handed as `ctx.inbox`, if the kind has one. */
  of(kind: string): KindInbox | undefined {
    return this.byKind.get(kind)?.inbox;
  }

  /** The kinds' stores changed under them (reloaded from a shared database): read them again. */
  reread(): void {
    for (const { inbox } of this.byKind.values()) inbox.reread?.();
  }

  /** A push to the inbox whose prefix the path has; `probes` are the ones configured now. */
  handle(request: PushedRequest, probes: readonly ProbeSpec[], now: number): InboxAnswer {
    for (const [kind, { prefix, inbox }] of this.byKind) {
      if (!request.path.startsWith(prefix)) continue;
      return inbox.handle({
        method: request.method,
        path: request.path.slice(prefix.length),
        headers: request.headers,
        body: request.body,
        probes: probes.filter((spec) => spec.kind === kind),
        now,
      });
    }
    return { status: 404, body: 'no such push endpoint\n' };
  }
}
