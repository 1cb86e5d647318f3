/** A real DNS responder over UDP on 127.0.0.1 with canned answers (blackbox dns_test startDNSServer). */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as packet from 'dns-packet';
import { onTestFinished } from 'vitest';

export type Zone = Record<
  string,
  { rcode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED'; answers?: packet.Answer[] } | 'stall'
>;

/** dns-packet encodes the response code only as the low bits of `flags`. */
const RCODE_BITS = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export async function withDnsServer(zone: Zone): Promise<{ server: string; queries: string[] }> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    const query = packet.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    const key = `${question.type} ${question.name}`;
    queries.push(key);
    const entry = zone[key] ?? { rcode: 'NXDOMAIN' as const };
    if (entry === 'stall') return;
    const response = packet.encode({
      id: query.id,
      type: 'response',
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | RCODE_BITS[entry.rcode ?? 'NOERROR'],
      questions: query.questions,
      answers: entry.answers ?? [],
    } as packet.Packet);
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { server: `127.0.0.1:${(socket.address() as AddressInfo).port}`, queries };
}
