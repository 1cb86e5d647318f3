/** A loopback RDAP registry: an HTTPS server (test CA) for .test and .example, and a bootstrap file naming it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCa, makeLeaf, writeCaFile } from './certs.js';
import { withHttpsServer } from './servers.js';

const DAY = 86_400_000;

function rdapDomain(name: string, expiresInDays: number | undefined) {
  return {
    objectClassName: 'domain',
    ldhName: name,
    status: ['client transfer prohibited'],
    events: [
      { eventAction: 'registration', eventDate: '2019-03-01T10:00:00Z' },
      ...(expiresInDays === undefined
        ? []
        : [
            {
              eventAction: 'expiration',
              eventDate: new Date(Date.now() + expiresInDays * DAY).toISOString(),
            },
          ]),
    ],
    entities: [
      {
        objectClassName: 'entity',
        roles: ['registrar'],
        vcardArray: [
          'vcard',
          [
            ['version', {}, 'text', '4.0'],
            ['fn', {}, 'text', 'Example Registrar, Inc.'],
          ],
        ],
      },
    ],
  };
}

/** `domains`: name → days until expiry (undefined: no expiration event published). */
export async function withRdapRegistry(domains: Record<string, number | undefined>) {
  const ca = await makeCa();
  const server = await withHttpsServer(await makeLeaf({ ca, hosts: ['127.0.0.1'] }), (req, res) => {
    const name = decodeURIComponent(/^\/rdap\/domain\/(.+)$/.exec(req.url ?? '')?.[1] ?? '');
    if (!(name in domains))
      return res.writeHead(404, { 'content-type': 'application/rdap+json' }).end('{"errorCode":404}');
    res
      .writeHead(200, { 'content-type': 'application/rdap+json' })
      .end(JSON.stringify(rdapDomain(name, domains[name])));
  });
  const dir = mkdtempSync(join(tmpdir(), 'rdap-'));
  const bootstrap = join(dir, 'dns.json');
  writeFileSync(
    bootstrap,
    JSON.stringify({
      version: '1.0',
      services: [
        [['test', 'example'], [`${server.url}/rdap/`]],
        [['com'], ['https://rdap.invalid/']],
      ],
    }),
  );
  return { server, bootstrap, caFile: writeCaFile(ca) };
}
