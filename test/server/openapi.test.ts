/** docs/openapi.yaml documents every route the server answers, and nothing it does not. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';

describe('OpenAPI description', () => {
  it('lists the routes the daemon serves', async () => {
    const spec = parse(readFileSync('docs/openapi.yaml', 'utf8')) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(spec.openapi).toBe('3.1.0');
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((key) => key !== 'parameters')
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const dir = configDir();
    dir.write('p.yaml', 'probes:\n  - { name: p, kind: http, url: "http://127.0.0.1:1/", interval: 1h }\n');
    const { daemon } = await startDaemon(dir.path);
    for (const route of documented) {
      const [method, path] = route.split(' ') as [string, string];
      const url = `${daemon.baseUrl}${path.replace('{name}', 'p').replace('{id}', 'none')}`;
      const response = await fetch(url, { method });
      await response.arrayBuffer();
      // Routed: anything but "not found" / "method not allowed" from the router (404 JSON for a missing silence is an answer).
      expect([405].includes(response.status), route).toBe(false);
      if (response.status === 404) expect(response.headers.get('content-type'), route).toContain('json');
    }
  });
});
