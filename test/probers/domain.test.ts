/**
 * Domain expiry through RDAP against a loopback registry: an HTTPS RDAP server (certificate from
 * a test CA) and a bootstrap file naming it, as IANA's would; answers are cached.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { probe } from '../helpers/probe.js';
import { withRdapRegistry } from '../helpers/rdap.js';

const DAY = 86_400_000;

describe('domain prober', () => {
  it('reads the expiration event from the server the bootstrap names, and caches the answer', async () => {
    const { server, bootstrap, caFile } = await withRdapRegistry({ 'prismai.test': 45 });
    const spec = { kind: 'domain', domain: 'PrismAI.test', bootstrap, tls: { ca_file: caFile } };
    const first = await probe(spec);
    expect(first.failure).toBeUndefined();
    expect(first.facts.domain).toMatchObject({
      domain: 'prismai.test',
      registrar: 'Example Registrar, Inc.',
      status: ['client transfer prohibited'],
      server: `${server.url}/rdap/`,
    });
    expect((first.facts.domain!.expiresAt! - Date.now()) / DAY).toBeCloseTo(45, 1);
    await probe(spec);
    expect(server.requests).toHaveLength(1);
    await probe({ ...spec, cache_for: '0s' });
    expect(server.requests).toHaveLength(2);
  });

  it('says why when RDAP cannot tell', async () => {
    const { bootstrap, caFile } = await withRdapRegistry({ 'no-expiry.test': undefined });
    const tls = { ca_file: caFile };
    const unknown = await probe({ kind: 'domain', domain: 'unknown.test', bootstrap, tls });
    expect(unknown.failure).toMatchObject({ code: 'rdap_error' });
    expect(unknown.failure!.message).toMatch(/answered 404: the registry does not know the domain$/);
    const noTld = await probe({ kind: 'domain', domain: 'prismai.org', bootstrap, tls });
    expect(noTld.failure!.message).toBe(
      "the bootstrap registry names no RDAP server for prismai.org's top-level domain",
    );
    const noExpiry = await probe({ kind: 'domain', domain: 'no-expiry.test', bootstrap, tls });
    expect(noExpiry.failure!.message).toMatch(/publishes no expiration event for no-expiry.test$/);
    const untrusted = await probe({ kind: 'domain', domain: 'prismai.test', bootstrap });
    expect(untrusted.failure!.code).toBe('tls_error');
    const missing = await probe({
      kind: 'domain',
      domain: 'prismai.test',
      bootstrap: '/nonexistent/dns.json',
    });
    expect(missing.failure!.message).toBe('cannot read the bootstrap file /nonexistent/dns.json: ENOENT');
  });

  it('runs once from the command line', async () => {
    const { bootstrap, caFile } = await withRdapRegistry({ 'soon.test': 5.5 });
    const result = await runCli([
      'probe',
      '--kind',
      'domain',
      '--bootstrap',
      bootstrap,
      '--ca-file',
      caFile,
      'soon.test',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}domain +soon\.test expires \d{4}-\d\d-\d\d \(5 days\)/);
    expect(result.stdout).toMatch(/ {2}registrar +Example Registrar, Inc\./);
  });
});
