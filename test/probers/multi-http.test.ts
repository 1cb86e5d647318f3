import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { runProbe } from '../../src/probers/run-probe.js';
import { runCli } from '../helpers/cli.js';
import { ITEMS_API_PASSWORD, itemsFlow, withItemsApi } from '../helpers/items-api.js';
import { captureLog } from '../helpers/log.js';
import { probe } from '../helpers/probe.js';
import { withHttpServer } from '../helpers/servers.js';

type Flow = ReturnType<typeof itemsFlow> & { steps: Array<Record<string, unknown>> };

function flowOf(api: Parameters<typeof itemsFlow>[0]): Flow {
  return itemsFlow(api) as Flow;
}

describe('multi_http prober', () => {
  it('logs in, creates, reads back and deletes, passing the token, the id and the session cookie along', async () => {
    const api = await withItemsApi();
    const result = await probe(flowOf(api));
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(api.items.size).toBe(0);
    const steps = result.facts.multiHttp!.steps;
    expect(steps.map((step) => [step.name, step.outcome, step.statusCode])).toEqual([
      ['login', 'passed', 200],
      ['create', 'passed', 201],
      ['read', 'passed', 200],
      ['delete', 'passed', 204],
    ]);
    // Reports show the URL as configured: the reference, not the run's id.
    expect(steps[2]!.url).toBe(`${api.url}/api/items/\${steps.create.id}`);
    expect(api.requests[2]!.url).toBe('/api/items/1');
    expect(api.requests[1]!.headers.authorization).toBe(`Bearer ${api.tokens[0]}`);
    expect(api.requests[1]!.headers.cookie).toMatch(/^session=[0-9a-f]{24}$/);
    for (const step of steps) expect(step.phases.connect).toBeGreaterThan(0);
    // The run's phases are the steps' summed.
    const connect = steps.reduce((sum, step) => sum + step.phases.connect, 0);
    expect(result.phases.connect).toBeCloseTo(connect, 6);
  });

  it('runs the shipped example, probes/examples/api-flow.yaml, as written', async () => {
    const api = await withItemsApi();
    const config = loadConfig(['probes/examples/api-flow.yaml'], {
      PRISM_API_URL: api.url,
      PRISM_PROBE_PASSWORD: ITEMS_API_PASSWORD,
    });
    const result = await runProbe(config.probes[0]!, { log: captureLog().log });
    expect(result.failure).toBeUndefined();
    expect(result.facts.multiHttp!.steps).toHaveLength(4);
    expect(api.items.size).toBe(0);
  });

  it('names the failing step and why, and does not send the steps after it', async () => {
    const api = await withItemsApi();
    api.faults.set('GET /api/items/:id', (res) => res.writeHead(500).end('boom'));
    const result = await probe(flowOf(api));
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({
      code: 'status_mismatch',
      message: 'step read (3 of 4): expected status 200-299, got 500',
    });
    expect(result.facts.multiHttp!.failedStep).toBe('read');
    expect(result.facts.multiHttp!.steps.map((step) => step.outcome)).toEqual([
      'passed',
      'passed',
      'failed',
      'skipped',
    ]);
    expect(api.requests.map((req) => req.method)).toEqual(['POST', 'POST', 'GET']);
  });

  it('fails with extraction_failed when a value a later step needs is missing', async () => {
    const api = await withItemsApi();
    api.faults.set('POST /api/login', (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    );
    const result = await probe(flowOf(api));
    expect(result.failure).toMatchObject({
      code: 'extraction_failed',
      message: 'step login (1 of 4): cannot extract token: JSON path $.token is not in the body',
    });
    expect(api.requests).toHaveLength(1);
  });

  it('extracts from headers and with a regex group, and percent-encodes values put into URLs', async () => {
    const seen: string[] = [];
    const target = await withHttpServer((req, res) => {
      seen.push(req.url!);
      if (req.url === '/start') return res.writeHead(200, { 'x-next': 'a b/c' }).end('ticket=T-42;');
      res.end('done');
    });
    const result = await probe({
      kind: 'multi_http',
      base_url: target.url,
      steps: [
        {
          name: 'start',
          url: '/start',
          extract: { next: { header: 'X-Next' }, ticket: { regex: 'ticket=([A-Z0-9-]+)' } },
        },
        {
          name: 'go',
          url: '/go/${steps.start.next}?t=${steps.start.ticket}',
          expect: { contains: ['done'] },
        },
      ],
    });
    expect(result.failure).toBeUndefined();
    expect(seen).toEqual(['/start', '/go/a%20b%2Fc?t=T-42']);
  });

  it('keeps extracted tokens out of failure messages and facts, as it does configured secrets', async () => {
    const api = await withItemsApi();
    // The read step's answer echoes the token; the assertion that fails would quote it.
    const flow = flowOf(api);
    flow.steps[2] = {
      name: 'read',
      url: '/echo?token=${steps.login.token}',
      expect: { json: [{ path: '$.echo', equals: 'nope' }] },
    };
    api.faults.set('GET /echo', (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: api.tokens[0] })),
    );
    const result = await probe(flow);
    const token = api.tokens[0]!;
    expect(result.failure?.code).toBe('assertion_failed');
    expect(result.failure?.message).toContain('${steps.login.token}');
    expect(JSON.stringify(result)).not.toContain(token);
  });

  it('gives a step its own deadline inside the flow’s, and says which ran out', async () => {
    const target = await withHttpServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.end('ok');
    });
    const stepTimeout = await probe({
      kind: 'multi_http',
      timeout: '5s',
      steps: [
        { name: 'quick', url: `${target.url}/` },
        { name: 'stall', url: `${target.url}/slow`, timeout: '300ms' },
      ],
    });
    expect(stepTimeout.failure).toMatchObject({ code: 'timeout', phase: 'processing' });
    expect(stepTimeout.failure!.message).toMatch(
      /^step stall \(2 of 2\): timed out after 300ms while waiting/,
    );
    const flowTimeout = await probe({
      kind: 'multi_http',
      timeout: '400ms',
      steps: [
        { name: 'quick', url: `${target.url}/` },
        { name: 'stall', url: `${target.url}/slow` },
      ],
    });
    expect(flowTimeout.failure!.message).toMatch(/^step stall \(2 of 2\): timed out after 400ms/);
  });

  it('refuses flows whose references name no earlier step or variable, with file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'multi-http-'));
    const file = join(dir, 'flow.yaml');
    writeFileSync(
      file,
      [
        'probes:',
        '  - name: flow',
        '    kind: multi_http',
        '    base_url: http://127.0.0.1:1',
        '    steps:',
        '      - { name: login, method: POST, url: /login, extract: { token: { json: $.token } } }',
        '      - name: read',
        '        url: /items/${steps.create.id}',
        '        headers: { authorization: "Bearer ${steps.login.tokn}" }',
        '      - { name: read, url: /again }',
        '',
      ].join('\n'),
    );
    let messages: string[] = [];
    try {
      loadConfig([file], {});
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      messages = (error as ConfigError).message.split('\n');
    }
    expect(messages).toEqual([
      `${file}:8:14 probes[0].steps[1].url: \${steps.create.id} names no earlier step (earlier steps: login)`,
      `${file}:9:35 probes[0].steps[1].headers.authorization: \${steps.login.tokn}: step "login" extracts no "tokn" (it extracts token)`,
      `${file}:10:17 probes[0].steps[2].name: expected a unique step name; "read" is used twice`,
    ]);
  });

  it('runs once from the command line, the password from the environment, with a step-by-step report', async () => {
    const api = await withItemsApi();
    const flow = flowOf(api);
    flow.steps[0]!.body = '{"user":"probe","password":"${ITEMS_PASSWORD}"}';
    const { kind: _kind, ...keys } = flow;
    const file = join(mkdtempSync(join(tmpdir(), 'multi-http-cli-')), 'flow.yaml');
    writeFileSync(file, JSON.stringify(keys));
    const passed = await runCli(['probe', '--kind', 'multi_http', file], {
      ITEMS_PASSWORD: ITEMS_API_PASSWORD,
    });
    expect(passed.stderr).toBe('');
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(
      /step login +POST http:\/\/127\.0\.0\.1:\d+\/api\/login → 200 in \d+ ms, ok/,
    );
    expect(passed.stdout).toContain('/api/items/${steps.create.id} → 204');
    const refused = await runCli(['probe', '--kind', 'multi_http', file], { ITEMS_PASSWORD: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('step login (1 of 4): expected status 200-299, got 401');
    expect(refused.stdout).toContain('step create');
    expect(refused.stdout).toContain('not run (an earlier step failed)');
    expect(`${refused.stdout}${refused.stderr}`).not.toContain('wrong');
  });
});
