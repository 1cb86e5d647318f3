/**
 * What the Observatory's retriever counts (src/retriever/session.js, retriever.js), on real
 * loopback servers: the cookies of the analysed session's jar only, robots.txt and preflight
 * cookies only after a certificate error, and a preflight answered with a non-2xx status as no
 * answer at all (its CORS headers ignored). Each once graded differently from the live Observatory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, writeCaFile } from '../../helpers/certs.js';
import { probe } from '../../helpers/probe.js';
import { withHttpServer, withHttpsServer } from '../../helpers/servers.js';

const GOOD = {
  'content-type': 'text/html',
  'content-security-policy': "default-src 'self'; object-src 'none'",
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | undefined;

/** An https site serving GOOD pages; `special` answers a request first when it returns true. */
async function site(special: Handler, options: { trusted?: boolean; httpCookie?: string } = {}) {
  const ca = await makeCa();
  const https = await withHttpsServer(await makeLeaf({ ca, hosts: ['127.0.0.1'] }), (req, res) => {
    if (special(req, res)) return;
    res.writeHead(200, GOOD).end(req.method === 'GET' ? '<html><body>PrismAI</body></html>' : undefined);
  });
  const http = await withHttpServer((_req, res) => {
    if (options.httpCookie) res.setHeader('set-cookie', options.httpCookie);
    res.writeHead(301, { location: `${https.url}/` }).end();
  });
  return probe({
    kind: 'security_headers',
    url: `${https.url}/`,
    http_url: `${http.url}/`,
    ...(options.trusted === false ? {} : { tls: { ca_file: writeCaFile(ca) } }),
  });
}

function test(result: Awaited<ReturnType<typeof probe>>, name: string) {
  return result.facts.security!.results.find((r) => r.test === name);
}

describe("the Observatory's retrieval", () => {
  it('ignores a preflight answered 403, even one echoing the Origin with credentials', async () => {
    const result = await site((req, res) => {
      if (req.method !== 'OPTIONS') return false;
      res
        .writeHead(403, {
          'access-control-allow-origin': req.headers.origin ?? '',
          'access-control-allow-credentials': 'true',
        })
        .end();
      return true;
    });
    expect(test(result, 'cross-origin-resource-sharing')).toMatchObject({
      result: 'cross-origin-resource-sharing-not-implemented',
      pass: true,
    });
    expect(result.facts.security).toMatchObject({ score: 115, grade: 'A+' });
  });

  it('grades a preflight that echoes any Origin with credentials as the live site does, and reports the risk apart', async () => {
    const result = await site((req, res) => {
      if (req.method !== 'OPTIONS') return false;
      res
        .writeHead(204, {
          'access-control-allow-origin': req.headers.origin ?? '',
          'access-control-allow-credentials': 'true',
        })
        .end();
      return true;
    });
    // The live Observatory never reaches universal access (it looks for the Origin it sent where
    // a real response does not keep it): restricted access, and the grade users compare agrees.
    expect(test(result, 'cross-origin-resource-sharing')).toMatchObject({
      result: 'cross-origin-resource-sharing-implemented-with-restricted-access',
      pass: true,
    });
    expect(result.facts.security).toMatchObject({
      score: 115,
      grade: 'A+',
      findings: ['cors-any-origin-with-credentials'],
    });
  });

  it('does not count a cookie set only on the http redirect when https answered', async () => {
    const result = await site(() => false, { httpCookie: 'sessionid=abc; Path=/' });
    expect(test(result, 'cookies')).toMatchObject({ result: 'cookies-not-found', pass: true });
  });

  it('does not count a cookie set only on robots.txt or the preflight of a verified site', async () => {
    const result = await site((req, res) => {
      if (req.url !== '/robots.txt' && req.method !== 'OPTIONS') return false;
      res.writeHead(200, { 'set-cookie': 'sessionid=abc; Path=/' }).end();
      return true;
    });
    expect(test(result, 'cookies')).toMatchObject({ result: 'cookies-not-found', pass: true });
  });

  it('counts robots.txt cookies once a certificate error made it retry without verification', async () => {
    const result = await site(
      (req, res) => {
        if (req.url !== '/robots.txt') return false;
        res.writeHead(200, { 'set-cookie': 'sessionid=abc; Path=/' }).end();
        return true;
      },
      { trusted: false },
    );
    expect(test(result, 'cookies')).toMatchObject({
      result: 'cookies-session-without-secure-flag',
      pass: false,
    });
  });

  it('counts cookies of the https page itself', async () => {
    const result = await site((req, res) => {
      if (req.url !== '/' || req.method !== 'GET') return false;
      res.writeHead(200, { ...GOOD, 'set-cookie': 'sessionid=abc; Path=/; Secure' }).end('<html></html>');
      return true;
    });
    expect(test(result, 'cookies')).toMatchObject({
      result: 'cookies-session-without-httponly-flag',
      pass: false,
    });
  });
});
