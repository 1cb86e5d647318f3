/**
 * `keep_alive: true` on an HTTP probe: its runs share one connection instead of opening a fresh one
 * each time. Off by default, like blackbox_exporter, because a fresh connection is what a new
 * client meets (DNS, connect, TLS handshake all measured). On, a probe measures the server rather
 * than the handshake and costs less (0.15 against 0.20 ms of CPU in the daemon, and the target
 * saves its accept and handshake too): for fleets of thousands of endpoints.
 *
 * One agent per probe definition, keeping one idle socket: runs of a probe never overlap (the
 * scheduler skips a run while the previous one is going), so the socket is free when a run starts.
 * The number of sockets in use is not capped: a run that timed out may still be closing its socket
 * when the next starts, and a capped agent would queue the new request and later open its socket
 * with the options (the trace and the aborted signal) of the request that made the closing one.
 * An idle socket closes after twice the interval (at least 10 s, at most 60 s) or when the server's Keep-Alive
 * hint says, so a probe removed by a reload leaves nothing open for long.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import type { ProbeSpec } from '../../model/probe.js';

/** node's connection callback; on an error node passes no socket, whatever the typings say. */
export type ConnectCallback = NonNullable<Parameters<Agent['createConnection']>[1]>;

/** Request options carry the opener, so each new connection is timed into its own run's trace. */
export interface ConnectionOpener {
  readonly openConnection: (done: ConnectCallback) => void;
}

class ProbeAgent extends Agent {
  // node's Agent calls createConnection(options, callback) and accepts the socket later through
  // the callback; the options are those of the request, which carry the opener.
  override createConnection(options: ClientRequestArgs, done?: ConnectCallback): undefined {
    if (done) (options as unknown as ConnectionOpener).openConnection(done);
  }
}

const MAX_IDLE_MS = 60_000;
/**
 * Never under 10 s: at saturation a 1 s probe runs every few seconds, not every second, and an
 * idle limit of twice its interval closed the socket before each run — every run connected
 * afresh and paid keep-alive's setup on top (a profile at 10,000 probes: connect, close and
 * setKeepAlive among the top costs; docs/benchmarks.md).
 */
const MIN_IDLE_MS = 10_000;
const agents = new WeakMap<ProbeSpec, Agent>();

/** The probe's keep-alive agent, made on first use and dropped with the definition. */
export function keepAliveAgent(spec: ProbeSpec): Agent {
  let agent = agents.get(spec);
  if (!agent) {
    agent = new ProbeAgent({
      keepAlive: true,
      maxFreeSockets: 1,
      timeout: Math.min(MAX_IDLE_MS, Math.max(MIN_IDLE_MS, 2 * (spec.intervalMs ?? MAX_IDLE_MS))),
    });
    agents.set(spec, agent);
  }
  return agent;
}
