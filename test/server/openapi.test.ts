/** docs/openapi.yaml documents every route the server answers, and nothing it does not. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { routeMethods } from '../../src/server/route-table.js';
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
    // And the other way: every route of the server's table is documented (ANY routes by path).
    const dir = configDir();
    dir.write('p.yaml', 'probes:\n  - { name: p, kind: http, url: "http://127.0.0.1:1/", interval: 1h }\n');
    const { daemon } = await startDaemon(dir.path);
    const openApiPath = (pattern: string) =>
      pattern
        .replace(/:([a-z]+)/gi, '{$1}')
        .replace(/\/\*$/, pattern.startsWith('/ping/') ? '/{token}' : '/{file}');
    for (const route of daemon.routes) {
      const path = openApiPath(route.path);
      expect(Object.keys(spec.paths), route.path).toContain(path);
      if (route.method === 'ANY') continue;
      for (const method of routeMethods(route).filter((m) => m !== 'HEAD'))
        expect(documented, `${method} ${route.path}`).toContain(`${method} ${path}`);
    }
    for (const route of documented) {
      const [method, path] = route.split(' ') as [string, string];
      const url = `${daemon.baseUrl}${path.replace('{name}', 'p').replace('{id}', 'none')}`;
      const response = await fetch(url, { method });
      await response.arrayBuffer();
      // Routed: anything but "not found" / "method not allowed" from the router (404 JSON for a missing silence is an answer).
      expect([405].includes(response.status), route).toBe(false);
      if (response.status === 404 && path.startsWith('/api/'))
        expect(response.headers.get('content-type'), route).toContain('json');
    }
  });
});
