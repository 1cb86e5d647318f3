import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { reverseName } from '../../src/probers/dns/index.js';
import { configDir } from '../helpers/config-dir.js';
import { withDnsServer } from '../helpers/dns-server.js';
import { probe } from '../helpers/probe.js';

const zone = {
  'A prismai.test': {
    answers: [{ type: 'A' as const, name: 'prismai.test', ttl: 60, data: '203.0.113.10' }],
  },
  'AAAA prismai.test': {
    answers: [{ type: 'AAAA' as const, name: 'prismai.test', ttl: 60, data: '2001:db8::10' }],
  },
  'MX prismai.test': {
    answers: [
      {
        type: 'MX' as const,
        name: 'prismai.test',
        ttl: 60,
        data: { preference: 10, exchange: 'mail.prismai.test' },
      },
    ],
  },
  'TXT prismai.test': {
    answers: [{ type: 'TXT' as const, name: 'prismai.test', ttl: 60, data: ['v=spf1 ', '-all'] }],
  },
  'CNAME www.prismai.test': {
    answers: [{ type: 'CNAME' as const, name: 'www.prismai.test', ttl: 60, data: 'prismai.test' }],
  },
  'NS prismai.test': {
    answers: [{ type: 'NS' as const, name: 'prismai.test', ttl: 60, data: 'ns1.prismai.test' }],
  },
  'A broken.test': { rcode: 'SERVFAIL' as const },
  'A empty.test': { rcode: 'NOERROR' as const, answers: [] },
  'A slow.test': 'stall' as const,
};

describe('dns prober against a real UDP responder', () => {
  it.each([
    ['A', 'prismai.test', ['203.0.113.10']],
    ['AAAA', 'prismai.test', ['2001:db8::10']],
    ['MX', 'prismai.test', ['10 mail.prismai.test']],
    ['TXT', 'prismai.test', ['v=spf1 -all']],
    ['CNAME', 'www.prismai.test', ['prismai.test']],
    ['NS', 'prismai.test', ['ns1.prismai.test']],
  ])('%s %s', async (type, name, answers) => {
    const { server } = await withDnsServer(zone);
    const result = await probe({
      kind: 'dns',
      server,
      query_name: name,
      query_type: type,
      expect: { answers },
    });
    expect(result.failure).toBeUndefined();
    expect(result.facts.dns).toMatchObject({ rcode: 'NOERROR', answers });
    expect(result.phases.resolve).toBeGreaterThan(0);
  });

  it('fails on an unexpected answer, naming what came', async () => {
    const { server } = await withDnsServer(zone);
    const result = await probe({
      kind: 'dns',
      server,
      query_name: 'prismai.test',
      expect: { answers: ['198.51.100.1'] },
    });
    expect(result.failure).toEqual({
      code: 'assertion_failed',
      message: 'A prismai.test: expected answers ["198.51.100.1"], got ["203.0.113.10"]',
    });
    const pattern = await probe({
      kind: 'dns',
      server,
      query_name: 'prismai.test',
      expect: { match: ['^198\\.51\\.'] },
    });
    expect(pattern.failure?.message).toBe(
      'A prismai.test: expected every answer to match /^198\\.51\\./, got "203.0.113.10"',
    );
  });

  it('fails on NXDOMAIN and SERVFAIL unless they are the expected codes', async () => {
    const { server } = await withDnsServer(zone);
    const missing = await probe({ kind: 'dns', server, query_name: 'nowhere.test' });
    expect(missing.failure).toEqual({
      code: 'dns_error',
      phase: 'resolve',
      message: `expected response code NOERROR for A nowhere.test from ${server}, got NXDOMAIN`,
    });
    const broken = await probe({ kind: 'dns', server, query_name: 'broken.test' });
    expect(broken.failure?.message).toContain('got SERVFAIL');
    const expectedMissing = await probe({
      kind: 'dns',
      server,
      query_name: 'nowhere.test',
      valid_rcodes: ['NXDOMAIN'],
    });
    expect(expectedMissing.ok).toBe(true);
  });

  it('fails a NOERROR response with no records', async () => {
    const { server } = await withDnsServer(zone);
    const result = await probe({ kind: 'dns', server, query_name: 'empty.test' });
    expect(result.failure).toEqual({
      code: 'assertion_failed',
      message: 'A empty.test: expected at least 1 answer(s), got []',
    });
  });

  it('times out on a server that never answers, within the budget', async () => {
    const { server } = await withDnsServer(zone);
    const result = await probe({ kind: 'dns', server, query_name: 'slow.test', timeout: '300ms' });
    expect(result.failure).toEqual({
      code: 'timeout',
      phase: 'resolve',
      message: `no answer from ${server} for A slow.test within 300ms`,
    });
    expect(result.durationMs).toBeLessThan(1_000);
  });
});

describe('dns prober given an IP address', () => {
  it('looks it up in reverse (PTR), instead of asking for A records of "127.0.0.1"', async () => {
    const { server, queries } = await withDnsServer({
      'PTR 1.0.0.127.in-addr.arpa': {
        answers: [{ type: 'PTR' as const, name: '1.0.0.127.in-addr.arpa', ttl: 60, data: 'localhost.test' }],
      },
    });
    const result = await probe({ kind: 'dns', server, query_name: '127.0.0.1' });
    expect(result.failure).toBeUndefined();
    expect(result.facts.dns).toMatchObject({ rcode: 'NOERROR', answers: ['localhost.test'] });
    expect(queries).toEqual(['PTR 1.0.0.127.in-addr.arpa']);
  });

  it('names the reverse of an IPv6 address by its 32 nibbles', () => {
    expect(reverseName('2001:db8::10')).toBe(
      '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    expect(reverseName('::1')).toBe(`1${'.0'.repeat(31)}.ip6.arpa`);
    expect(reverseName('192.0.2.5')).toBe('5.2.0.192.in-addr.arpa');
  });

  it('refuses an address with a record type other than PTR, naming the file, line and key', () => {
    const dir = configDir();
    dir.write(
      'dns.yaml',
      'probes:\n  - name: rev\n    kind: dns\n    query_name: 127.0.0.1\n    query_type: A\n',
    );
    expect(() => loadConfig([dir.path], {})).toThrow(
      /dns\.yaml:\d+:\d+ probes\[0\]\.query_type: expected PTR \(or no query_type\) for the IP address 127\.0\.0\.1/,
    );
  });
});

describe('dns prober without a server', () => {
  it('resolves A and AAAA as the system does, /etc/hosts included (the shipped `A localhost`)', async () => {
    const result = await probe({ kind: 'dns', query_name: 'localhost', query_type: 'A' });
    expect(result.failure).toBeUndefined();
    expect(result.facts.dns).toMatchObject({
      rcode: 'NOERROR',
      answers: expect.arrayContaining(['127.0.0.1']),
    });
  });
});
