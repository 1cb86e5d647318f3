/** The route table's path matching: exact, params and prefixes; never throws on any path. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { examplePath, matchRoute } from '../../src/server/route-table.js';

const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

describe('matchRoute', () => {
  it('matches exact paths, one-segment params (decoded) and prefixes', () => {
    expect(matchRoute('/-/healthy', '/-/healthy')).toEqual({ params: {}, badEscape: false });
    expect(matchRoute('/-/healthy', '/-/healthy/')).toBeUndefined();
    expect(matchRoute('/api/v1/probes/:name/results', '/api/v1/probes/a%20b/results')).toEqual({
      params: { name: 'a b' },
      badEscape: false,
    });
    expect(matchRoute('/api/v1/probes/:name/results', '/api/v1/probes//results')).toBeUndefined();
    expect(matchRoute('/api/v1/silences/:id', '/api/v1/silences/%ff')).toEqual({
      params: { id: '' },
      badEscape: true,
    });
    expect(matchRoute('/ping/*', '/ping/abc/fail')).toEqual({
      params: { '*': 'abc/fail' },
      badEscape: false,
    });
    expect(matchRoute('/ping/*', '/pingx')).toBeUndefined();
    expect(examplePath({ path: '/api/v1/probes/:name/results' } as never)).toBe(
      '/api/v1/probes/example/results',
    );
  });

  it('never throws, and a matched param re-encodes to its segment (fuzzed)', () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%ff', '..', '', '%2F'),
    );
    const patterns = ['/api/v1/probes/:name/results', '/api/v1/silences/:id', '/ping/*', '/', '/-/healthy'];
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), fc.constantFrom(...patterns), (parts, pattern) => {
        const path = `/${parts.join('/')}`;
        const match = matchRoute(pattern, path);
        if (match && !match.badEscape) {
          for (const [key, value] of Object.entries(match.params))
            if (key !== '*') expect(path.split('/').map(safeDecode)).toContain(value);
        }
      }),
      { seed: 20261206, numRuns: 2_000 },
    );
  });
});
